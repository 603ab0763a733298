// Builds the single self-contained `whistler` executable: stamps the git commit and date into
// host/build_info.ts, bundles cli.ts with `bun build --compile` (offline) or `deno compile`
// (downloads its runtime unless DENORT_BIN names one), and restores build_info.ts afterwards.
//
// Usage: node_modules/.bin/deno run -A tools/build.ts [--runtime bun|deno] [--outfile PATH]
//        (deno task build, deno task build:deno)

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const INFO = path.join(ROOT, "host", "build_info.ts");

/** build_info.ts as it is in a source checkout (no stamp). */
export const UNSTAMPED = `// Build stamp, rewritten by \`deno task build\` (tools/build.ts); empty in a source checkout.
export const BUILD: { commit: string; date: string } = { commit: "", date: "" };
`;

export interface BuildOptions {
  runtime?: "bun" | "deno";
  /** Default dist/whistler (bun) or dist/whistler-deno (deno). */
  outfile?: string;
  /** Progress messages (default stderr). */
  log?: (s: string) => void;
}

export interface BuildResult {
  outfile: string;
  commit: string;
  date: string;
  seconds: number;
  bytes: number;
}

export class BuildError extends Error {}

/** The short commit of the checkout, or "" outside a git checkout (or without git). */
export function gitCommit(): string {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return r.status === 0 ? r.stdout.trim() : "";
}

/** The build date (UTC, YYYY-MM-DD); SOURCE_DATE_EPOCH fixes it for reproducible builds. */
export function buildDate(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const d = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  return d.toISOString().slice(0, 10);
}

function stampText(commit: string, date: string): string {
  return UNSTAMPED.replace('{ commit: "", date: "" }', `{ commit: ${JSON.stringify(commit)}, date: ${JSON.stringify(date)} }`);
}

/** The runtime binary: node_modules/.bin first (the pinned version), then $PATH. */
function tool(name: "bun" | "deno"): string {
  const local = path.join(ROOT, "node_modules", ".bin", name);
  return fs.existsSync(local) ? local : name;
}

function compileCommand(runtime: "bun" | "deno", outfile: string): string[] {
  const entry = path.join(ROOT, "cli.ts");
  // --bytecode (ESM, since cli.ts awaits at top level) halves the binary's start-up time.
  if (runtime === "bun") return [tool("bun"), "build", "--compile", "--bytecode", "--format=esm", entry, "--outfile", outfile];
  return [tool("deno"), "compile", "-A", "--no-check", "--output", outfile, entry];
}

/** Build the executable. The working tree is left as it was (build_info.ts restored), even on failure. */
export function build(opts: BuildOptions = {}): BuildResult {
  const runtime = opts.runtime ?? "bun";
  const outfile = path.resolve(opts.outfile ?? path.join(ROOT, "dist", runtime === "bun" ? "whistler" : "whistler-deno"));
  const log = opts.log ?? ((s: string) => void process.stderr.write(s));
  const original = fs.readFileSync(INFO, "utf8");
  // A stamped file here means an earlier build was killed before restoring it: restore the checkout's.
  const restore = /commit: ""/.test(original) ? original : UNSTAMPED;
  const commit = gitCommit();
  const date = buildDate();
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  const cmd = compileCommand(runtime, outfile);
  log(`build: whistler ${commit || "(no git commit)"} ${date} with ${cmd.map((c) => path.relative(ROOT, c).startsWith("..") ? c : path.relative(ROOT, c) || c).join(" ")}\n`);
  const onSignal = () => {
    fs.writeFileSync(INFO, restore);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const t0 = performance.now();
  let r: ReturnType<typeof spawnSync>;
  try {
    fs.writeFileSync(INFO, stampText(commit, date));
    const env = { ...process.env, NO_COLOR: "1" };
    r = spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26 });
  } finally {
    fs.writeFileSync(INFO, restore);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) {
    const text = `${r.stdout ?? ""}${r.stderr ?? ""}`.replace(/\nStack backtrace:[^]*$/, "").trim();
    let hint = "";
    if (runtime === "deno" && /dl\.deno\.land|dns error|error sending request/i.test(text)) {
      const url = /https:\/\/dl\.deno\.land\/\S+?\.zip/.exec(text)?.[0] ?? "denort-<target>.zip from https://dl.deno.land";
      hint = `\n\n\`deno compile\` downloads its runtime (denort) and this machine cannot reach it. Fetch ${url} ` +
        "on a machine with network access, unzip it here and run again with DENORT_BIN=/path/to/denort " +
        "(or build with bun, which works offline: deno task build).";
    }
    throw new BuildError(`${cmd[0]} failed (${r.error ? r.error.message : `exit ${r.status}`}):\n${text.split("\n").slice(-12).join("\n")}${hint}`);
  }
  const bytes = fs.statSync(outfile).size;
  return { outfile, commit, date, seconds, bytes };
}

function parseArgs(args: string[]): BuildOptions {
  const o: BuildOptions = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      if (a.includes("=")) return a.slice(a.indexOf("=") + 1);
      if (i + 1 >= args.length) throw new BuildError(`${a} needs a value`);
      return args[++i];
    };
    if (a.startsWith("--runtime")) {
      const v = value();
      if (v !== "bun" && v !== "deno") throw new BuildError(`--runtime takes bun or deno, got "${v}"`);
      o.runtime = v;
    } else if (a.startsWith("--outfile")) o.outfile = value();
    else throw new BuildError(`Unknown option "${a}"; usage: tools/build.ts [--runtime bun|deno] [--outfile PATH]`);
  }
  return o;
}

if (import.meta.main) {
  try {
    const r = build(parseArgs(process.argv.slice(2)));
    const rel = path.relative(process.cwd(), r.outfile) || r.outfile;
    process.stderr.write(`build: wrote ${rel} (${(r.bytes / 1048576).toFixed(1)} MB) in ${r.seconds.toFixed(1)} s\n`);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    process.stderr.write(`build: error: ${e.message}\n`);
    process.exit(1);
  }
}
