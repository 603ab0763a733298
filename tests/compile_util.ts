// Test helpers: compile Whistler source or a file to an object in a temporary directory,
// failing the test with rendered diagnostics when compilation fails.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, type CompileOptions, type CompileResult, render } from "../mod.ts";
import { hostFiles } from "../host/fs.ts";

/** Compile `source`; throw with the rendered diagnostics when it fails. */
export function compileOk(source: string, opts: CompileOptions = {}): CompileResult {
  const r = compile(source, { files: hostFiles, ...opts, hooks: { verifyEach: true, ...opts.hooks } });
  if (!r.ok) throw new Error(`compile failed:\n${render(r.diagnostics, (f) => r.sources.get(f))}`);
  return r;
}

/** Compile a file from the repository. */
export function compileFile(path: string, opts: CompileOptions = {}): CompileResult {
  return compileOk(readFileSync(path, "utf8"), { file: path, ...opts });
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = "whistler-test-"): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a compiled object to `dir/name.bpf.o` and return the path. */
export function writeObject(r: CompileResult, dir: string, name: string): string {
  const p = join(dir, `${name}.bpf.o`);
  writeFileSync(p, r.object!);
  return p;
}

/** Little-endian u32 key bytes. */
export const u32key = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
