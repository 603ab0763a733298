// Runs the whole test suite under Deno and then under Bun, and prints one closing line
// "N passed, N failed, N skipped" (totals of both runs). Exit status 1 if either run failed.
// Usage: node_modules/.bin/deno run -A tools/run_tests.ts [deno|bun] [extra args for the runner]

import { spawn } from "node:child_process";
import process from "node:process";

const which = process.argv[2] === "deno" || process.argv[2] === "bun" ? process.argv[2] : "both";
const extra = process.argv.slice(which === "both" ? 2 : 3);

interface Run { passed: number; failed: number; skipped: number; status: number }

/** Run a test runner, streaming its output through while keeping a copy to read the counts. */
function run(cmd: string, args: string[]): Promise<{ out: string; status: number }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    const take = (chunk: Uint8Array) => {
      const text = new TextDecoder().decode(chunk);
      out += text;
      process.stdout.write(text);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (code) => resolve({ out, status: code ?? 1 }));
  });
}

async function deno(): Promise<Run> {
  const { out, status } = await run("node_modules/.bin/deno", ["test", "-A", "--no-check", ...extra]);
  const m = /(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(out);
  const skipped = (out.match(/^SKIP /gm) ?? []).length;
  return { passed: m ? Number(m[1]) - skipped : 0, failed: m ? Number(m[2]) : 1, skipped, status: m ? status : 1 };
}

async function bun(): Promise<Run> {
  const { out, status } = await run("node_modules/.bin/bun", ["test", ...extra]);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const passed = num(/^\s*(\d+) pass/m), failed = num(/^\s*(\d+) fail/m), skipped = num(/^\s*(\d+) skip/m);
  return { passed, failed: failed || (passed === 0 ? 1 : 0), skipped, status };
}

const runs: Run[] = [];
if (which !== "bun") runs.push(await deno());
if (which !== "deno") runs.push(await bun());
const sum = (k: keyof Run) => runs.reduce((a, r) => a + r[k], 0);
const failed = sum("failed") + runs.filter((r) => r.status !== 0 && r.failed === 0).length;
console.log(`\n${sum("passed")} passed, ${failed} failed, ${sum("skipped")} skipped`);
process.exit(failed > 0 ? 1 : 0);
