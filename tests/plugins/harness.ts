// Helpers for the plugin tests: run the command line under Deno, Bun or the single binary, find
// the binary (or say why its test is skipped), and load a plugin in this runtime.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { Plugin } from "../../mod.ts";
import { loadPlugin } from "../../host/plugins.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const DENO = join(ROOT, "node_modules", ".bin", "deno");
export const BUN = join(ROOT, "node_modules", ".bin", "bun");
export const CLI = join(ROOT, "cli.ts");
export const PLUGINS = join(ROOT, "plugins");
export const FIXTURES = join(ROOT, "tests", "plugins");

/** The example plugins: name → file. */
export const EXAMPLES = {
  vxlan: join(PLUGINS, "vxlan", "vxlan.ts"),
  counters: join(PLUGINS, "counters", "counters.ts"),
  "array-nonnull": join(PLUGINS, "array-nonnull", "array_nonnull.ts"),
} as const;

export type Runtime = "deno" | "bun" | "binary";

/** The runtime running this test file. */
export const HERE: Runtime = "Bun" in globalThis ? "bun" : "deno";

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** `whistler ARGS…` under a runtime, in `cwd` (default: the repository). */
export function whistler(runtime: Runtime, args: string[], cwd = ROOT): Run {
  const [cmd, pre] = runtime === "deno" ? [DENO, ["run", "-A", "--no-check", CLI]] : runtime === "bun" ? [BUN, [CLI]] : [binary().path!, []];
  const r = spawnSync(cmd, [...pre, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 1 << 26 });
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
}

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "dist" || e.name.startsWith(".") || e.name === "tests" || e.name === "plugins") continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestSource(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The single binary: $WHISTLER_BIN, else dist/whistler (`skip` says why there is none). `stale`:
 * it is older than the compiler sources, so a failure may be the old build's, not the code's.
 */
export function binary(): { path?: string; skip?: string; stale?: boolean } {
  const path = process.env.WHISTLER_BIN ?? join(ROOT, "dist", "whistler");
  if (!existsSync(path)) return { skip: `no single binary at ${path} (build it: deno task build)` };
  return { path, stale: statSync(path).mtimeMs < newestSource(ROOT) };
}

/** Load a plugin file in this runtime, as the command line does. */
export function load(file: string): Promise<Plugin> {
  return loadPlugin(file);
}

/** The instruction count of each program, from the summary lines on stderr. */
export function insnCounts(stderr: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of stderr.matchAll(/^(\S+): section \S+, (\d+) instructions/gm)) out[m[1]] = Number(m[2]);
  return out;
}
