// Child process of tests/macros_test.ts for error cases marked `;; isolate` (expansions that
// may run away): compile one file and print the outcome as one JSON line, so the runner can
// bound the time with a timeout instead of hanging when the compiler fails to stop.
//   deno run -A --no-check tests/macros/compile_case.ts FILE    ·    bun tests/macros/compile_case.ts FILE

import { readFileSync } from "node:fs";
import process from "node:process";
import { compile } from "../../mod.ts";

const file = process.argv[2];
let out: unknown;
try {
  const r = compile(readFileSync(file, "utf8"), { file });
  out = { ok: r.ok, diagnostics: r.diagnostics };
} catch (e) {
  out = { threw: e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e) };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
