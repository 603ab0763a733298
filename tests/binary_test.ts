// The single binary (`deno task build` → dist/whistler). Builds it once with tools/build.ts into a
// temporary directory, or takes $WHISTLER_BIN (CI builds it once and passes it to both test runs),
// then checks: the version stamp and a clean tree after the build; that it compiles every example
// and bench fixture with the network off (unshare -n) to the same bytes and messages as cli.ts
// under Deno; the same -S, expand and disasm output; help, doctor and exit codes; a plugin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build, type BuildResult } from "../tools/build.ts";
import { COMMANDS, commandHelp } from "../host/help.ts";
import { skipTest } from "./kernel.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = path.join(ROOT, "node_modules", ".bin", "deno");
const INFO = path.join(ROOT, "host", "build_info.ts");
const SLOW = { timeout: 600_000 };
const REQUIRED = process.env.WHISTLER_REQUIRE_KERNEL === "1" || process.env.WHISTLER_REQUIRE_BINARY === "1";
const tmp = fs.mkdtempSync(path.join(tmpdir(), "whistler-bin-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// The binary, built once

interface Binary {
  bin?: string;
  /** Set when this file built it (not $WHISTLER_BIN). */
  built?: BuildResult;
  infoBefore?: string;
  infoAfter?: string;
  error?: string;
}

function getBinary(): Binary {
  const given = process.env.WHISTLER_BIN;
  if (given) {
    const bin = path.resolve(ROOT, given);
    return fs.existsSync(bin) ? { bin } : { error: `WHISTLER_BIN=${given} does not exist` };
  }
  const infoBefore = fs.readFileSync(INFO, "utf8");
  try {
    const built = build({ outfile: path.join(tmp, "whistler"), log: () => {} });
    console.log(`binary: built ${(built.bytes / 1048576).toFixed(1)} MB in ${built.seconds.toFixed(1)} s`);
    return { bin: built.outfile, built, infoBefore, infoAfter: fs.readFileSync(INFO, "utf8") };
  } catch (e) {
    return { error: `tools/build.ts failed: ${e instanceof Error ? e.message : String(e)}`, infoBefore, infoAfter: fs.readFileSync(INFO, "utf8") };
  }
}

const B = getBinary();

/** A test of the binary: skipped visibly when it could not be built, failed where it is required (CI). */
function binTest(name: string, fn: (bin: string, t: { skip(m?: string): void }) => void): void {
  test(name, SLOW, (t) => {
    if (!B.bin) {
      if (REQUIRED) throw new Error(`the binary is required here: ${B.error}`);
      return skipTest(t, name, B.error!);
    }
    fn(B.bin, t);
  });
}

interface Run {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Run with a minimal environment: no Deno, Bun or node_modules on PATH, a fresh HOME. */
function run(cmd: string[], cwd: string, input?: string): Run {
  const env = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: tmp, LANG: "C.UTF-8" };
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, env, input, maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
}

const deno = (args: string[], cwd: string, input?: string) => run([DENO, "run", "-A", "--no-check", path.join(ROOT, "cli.ts"), ...args], cwd, input);

/** unshare -n (a new network namespace with only a loopback, down): available when we may create one. */
function offlinePrefix(): { prefix: string[]; why?: string } {
  const r = spawnSync("unshare", ["-n", "cat", "/proc/net/dev"], { encoding: "utf8" });
  if (r.status !== 0) return { prefix: [], why: `unshare -n is not available here: ${(r.stderr || String(r.error)).trim()}` };
  const ifaces = r.stdout.split("\n").slice(2).map((l) => l.split(":")[0].trim()).filter(Boolean);
  if (ifaces.join() !== "lo") return { prefix: [], why: `unshare -n left interfaces ${ifaces.join(", ")}` };
  return { prefix: ["unshare", "-n"] };
}

/** Copy the examples and fixtures into `dir` (examples/ and fixtures/); returns their relative paths. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const [from, to] of [["examples", "examples"], [path.join("bench", "fixtures"), "fixtures"]]) {
    fs.mkdirSync(path.join(dir, to), { recursive: true });
    for (const f of fs.readdirSync(path.join(ROOT, from)).sort()) {
      if (!f.endsWith(".lisp")) continue;
      fs.copyFileSync(path.join(ROOT, from, f), path.join(dir, to, f));
      out.push(`${to}/${f}`);
    }
  }
  return out;
}

/** Every output file under dir, relative path → bytes. */
function outputs(dir: string, re: RegExp): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (re.test(f)) m.set(f, fs.readFileSync(path.join(dir, f)));
  }
  return new Map([...m].sort(([a], [b]) => a.localeCompare(b)));
}

// ---------------------------------------------------------------------------------------------

test("binary: tools/build.ts stamps the commit and date and leaves host/build_info.ts as it was", SLOW, (t) => {
  if (!B.built) {
    // Built before the tests ($WHISTLER_BIN, as CI does): the tree's build_info.ts must be unstamped again.
    if (B.bin) return assert.match(fs.readFileSync(INFO, "utf8"), /commit: "", date: ""/, "host/build_info.ts left stamped");
    assert.equal(B.infoAfter, B.infoBefore, "host/build_info.ts was not restored after a failed build");
    if (REQUIRED) throw new Error(B.error);
    return skipTest(t, "binary build", B.error!);
  }
  assert.equal(B.infoAfter, B.infoBefore, "host/build_info.ts was not restored");
  assert.match(B.infoAfter!, /commit: "", date: ""/, "the checkout's build_info.ts must be unstamped");
  assert.match(B.built.date, /^\d{4}-\d\d-\d\d$/);
  const v = run([B.bin!, "--version"], tmp);
  assert.equal(v.status, 0);
  const expect = B.built.commit ? `whistler 0.1.0 (${B.built.commit}, ${B.built.date})` : "whistler 0.1.0";
  assert.equal(v.stdout.toString().trim(), expect);
  assert.ok(B.built.bytes > 1 << 20, "suspiciously small binary");
});

binTest("binary: --version shows the version, and the commit and date it was built from", (bin) => {
  const v = run([bin, "--version"], tmp);
  assert.equal(v.status, 0, v.stderr);
  // Built from a git checkout, the stamp must be there; elsewhere there is no commit to show.
  const stamp = fs.existsSync(path.join(ROOT, ".git")) ? "" : "?";
  assert.match(v.stdout.toString(), new RegExp(`^whistler 0\\.1\\.0( \\([0-9a-f]{4,40}, \\d{4}-\\d\\d-\\d\\d\\))${stamp}\n$`));
});

binTest("binary: compiles every example and fixture offline (unshare -n) to the same bytes as cli.ts under Deno", (bin, t) => {
  const off = offlinePrefix();
  if (off.why) {
    if (REQUIRED) throw new Error(off.why);
    console.log(`SKIP binary offline: ${off.why} (compiling with the network on instead)`);
  }
  const dDir = fs.mkdtempSync(path.join(tmp, "deno-")), bDir = fs.mkdtempSync(path.join(tmp, "bin-"));
  const files = sources(dDir);
  assert.deepEqual(sources(bDir), files);
  assert.ok(files.length >= 30, `only ${files.length} sources`);
  // One process each, all files: several inputs, default outputs beside them (pending fixtures fail: exit 1 on both).
  const d = deno(["compile", ...files], dDir);
  const b = run([...off.prefix, bin, "compile", ...files], bDir);
  assert.equal(b.status, d.status, b.stderr);
  assert.equal(b.stderr, d.stderr, "messages differ");
  const dOut = outputs(dDir, /\.bpf\.o$/), bOut = outputs(bDir, /\.bpf\.o$/);
  assert.ok(dOut.size >= 30, `only ${dOut.size} objects`);
  assert.deepEqual([...bOut.keys()], [...dOut.keys()]);
  for (const [f, bytes] of dOut) assert.ok(bytes.equals(bOut.get(f)!), `${f}: the binary's object differs from Deno's`);
  for (const f of files.filter((x) => x.startsWith("examples/"))) assert.ok(bOut.has(f.replace(/\.lisp$/, ".bpf.o")), `example ${f} did not compile`);
  if (off.why) skipTest(t, "binary offline", off.why);
});

binTest("binary: -S, -mcpu=v4 -O0, expand and disasm print what cli.ts prints under Deno", (bin) => {
  const dDir = fs.mkdtempSync(path.join(tmp, "deno-")), bDir = fs.mkdtempSync(path.join(tmp, "bin-"));
  const files = sources(dDir).filter((f) => f.startsWith("examples/"));
  sources(bDir);
  for (const args of [["compile", "-S", ...files], ["compile", "-mcpu=v4", "-O0", "-g0", "-o", "-", files[0]],
    ["expand", files[1]], ["disasm", "/dev/null"]]) {
    const d = deno(args, dDir), b = run([bin, ...args], bDir);
    assert.equal(b.status, d.status, `${args.join(" ")}: ${b.stderr}`);
    assert.equal(b.stderr, d.stderr, args.join(" "));
    assert.ok(b.stdout.equals(d.stdout), `${args.join(" ")}: stdout differs`);
  }
  const dS = outputs(dDir, /\.s$/), bS = outputs(bDir, /\.s$/);
  assert.equal(dS.size, files.length);
  for (const [f, text] of dS) assert.ok(text.equals(bS.get(f)!), f);
  assert.equal(run([bin, "compile", files[0], "-o", "x.o"], bDir).status, 0);
  const dd = deno(["disasm", "x.o"], bDir), bd = run([bin, "disasm", "x.o"], bDir);
  assert.equal(bd.status, 0);
  assert.equal(bd.stdout.toString(), dd.stdout.toString());
});

binTest("binary: help topics, doctor and exit codes", (bin) => {
  for (const c of COMMANDS) {
    const h = run([bin, "help", c], tmp);
    assert.equal(h.status, 0, c);
    assert.equal(h.stdout.toString(), commandHelp(c), c);
  }
  const doc = run([bin, "doctor"], tmp);
  assert.equal(doc.status, 0, doc.stderr);
  assert.match(doc.stdout.toString(), /^whistler 0\.1\.0.*, Bun [\d.]+ on linux/);
  assert.match(doc.stdout.toString(), /^ {2}(ok|missing|warn) +bpftool /m);
  const usage = run([bin, "frobnicate"], tmp);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^whistler: error: Unknown command/);
  const bad = path.join(tmp, "bad.lisp");
  fs.writeFileSync(bad, "(defprog p (:type :xdp)\n  (if (> cuont 2) XDP_DROP XDP_PASS))\n");
  const e = run([bin, "compile", "bad.lisp"], tmp);
  assert.equal(e.status, 1);
  assert.equal(e.stderr, deno(["compile", "bad.lisp"], tmp).stderr);
  assert.match(e.stderr, /^bad\.lisp:2:10: error: /);
});

binTest("binary: loads a TypeScript plugin (import type only) and compiles as Deno does", (bin) => {
  const dir = fs.mkdtempSync(path.join(tmp, "plugin-"));
  fs.writeFileSync(path.join(dir, "answer.ts"), `// A plugin that defines a constant from its option.
import type { Plugin, PluginApi } from "${path.join(ROOT, "mod.ts")}";
const plugin: Plugin = {
  name: "answer",
  setup(api: PluginApi) {
    api.constant("+answer+", Number(api.options.value ?? "42"));
  },
};
export default plugin;
`);
  fs.writeFileSync(path.join(dir, "p.lisp"), "(defprog p (:type :xdp)\n  (if (= +answer+ 7) XDP_DROP XDP_PASS))\n");
  const args = ["compile", "--plugin", "./answer.ts", "--plugin-opt", "answer.value=7", "p.lisp", "-o", "-"];
  const b = run([bin, ...args], dir), d = deno(args, dir);
  assert.equal(b.status, 0, b.stderr);
  assert.equal(d.status, 0, d.stderr);
  assert.ok(b.stdout.equals(d.stdout), "objects differ");
  assert.equal(b.stderr, "p: section xdp, 2 instructions, 0 bytes of stack\n");
});
