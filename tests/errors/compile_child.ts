// Helper process for tests/cli_test.ts (not a test file itself): compiles each case named on the
// command line with the library's compile() and prints one JSON line per case as soon as it is
// done, so that a case that hangs or kills the process can be told apart from the ones before it.
import { readFileSync, writeSync } from "node:fs";
import process from "node:process";
import { compile } from "../../mod.ts";

for (const file of process.argv.slice(2)) {
  const source = readFileSync(file, "utf8");
  let out: Record<string, unknown>;
  try {
    const r = compile(source, { file });
    out = { file, ok: r.ok, diagnostics: r.diagnostics };
  } catch (e) {
    out = { file, threw: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  writeSync(1, JSON.stringify(out) + "\n");
}
