// Output formats of `whistler bench`: the results model, the text table, the Markdown table,
// and an SVG bar chart (ours against clang -O2 at the same -mcpu, per program).

import { geomean } from "./bench_core.ts";

export interface BenchRecord {
  /** The source file's base name without .lisp (a fixture's name). */
  fixture: string;
  file: string;
  /** ELF symbol of the program; null when the file did not compile and clang has no record of it. */
  program: string | null;
  section: string | null;
  /** Our instruction count (llvm-objdump's rule: an ld_imm64 is one); null when it did not compile. */
  insns: number | null;
  stack: number | null;
  /** clang -O2 on the C twin, per -mcpu, from the recorded file. */
  clang: { v1: number; v3: number; v4: number } | null;
  /** insns / clang at the same -mcpu. */
  ratio: number | null;
  /** Verifier "processed insns" of our program, when the kernel was asked. */
  verifier: number | null;
  /** ok; pending (a .pending file: not in the totals); error (did not compile or load). */
  status: "ok" | "pending" | "error";
  note?: string;
}

export interface BenchTotals {
  /** Programs with our count. */
  programs: number;
  insns: number;
  /** Programs in the comparison: status ok, with our count and clang's at our -mcpu. */
  compared: number;
  oursCompared: number;
  clangCompared: { v1: number; v3: number; v4: number };
  /** oursCompared / clang at our -mcpu. */
  ratio: number | null;
  /** Geometric mean of the per-program ratios. */
  geomean: number | null;
  pending: string[];
  errors: string[];
}

export interface BenchRun {
  tool: "whistler bench";
  version: string;
  cpu: 1 | 2 | 3 | 4;
  opt: string;
  /** The clang that recorded the counts, when any were used. */
  clang: string | null;
  programs: BenchRecord[];
  totals: BenchTotals;
}

export function totalsOf(records: BenchRecord[], cpu: number): BenchTotals {
  const key = `v${cpu}` as "v1" | "v3" | "v4";
  const counted = records.filter((r) => r.insns !== null && r.status !== "pending");
  const compared = counted.filter((r) => r.status === "ok" && r.clang && r.clang[key] !== undefined);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const oursCompared = sum(compared.map((r) => r.insns!));
  const clangCompared = {
    v1: sum(compared.map((r) => r.clang!.v1)), v3: sum(compared.map((r) => r.clang!.v3)), v4: sum(compared.map((r) => r.clang!.v4)),
  };
  const ratios = compared.filter((r) => r.clang![key] > 0).map((r) => r.insns! / r.clang![key]);
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    programs: counted.length,
    insns: sum(counted.map((r) => r.insns!)),
    compared: compared.length,
    oursCompared,
    clangCompared,
    ratio: compared.length && clangCompared[key] ? oursCompared / clangCompared[key] : null,
    geomean: ratios.length ? geomean(ratios) : null,
    pending: uniq(records.filter((r) => r.status === "pending").map((r) => r.fixture)),
    errors: uniq(records.filter((r) => r.status === "error").map((r) => r.fixture)),
  };
}

const fmtRatio = (x: number | null) => (x === null || !Number.isFinite(x) ? "-" : x.toFixed(3));
const fmtN = (x: number | null | undefined) => (x === null || x === undefined ? "-" : String(x));

interface Row { cells: string[]; note?: string }

function rows(run: BenchRun): { head: string[]; body: Row[]; total: string[]; geo: string[] } {
  const key = `v${run.cpu}`;
  const head = ["fixture", "program", "ours", "clang v1", "clang v3", "clang v4", `ours/clang ${key}`, "verifier"];
  const body = run.programs.map((r) => ({
    cells: [
      r.fixture, r.program ?? "-", r.status === "ok" || r.insns !== null ? fmtN(r.insns) : r.status,
      fmtN(r.clang?.v1), fmtN(r.clang?.v3), fmtN(r.clang?.v4), r.status === "pending" ? "pending" : fmtRatio(r.ratio),
      fmtN(r.verifier),
    ],
    note: r.note,
  }));
  const t = run.totals;
  const total = [`total (${t.compared} compared)`, "", fmtN(t.oursCompared), fmtN(t.clangCompared.v1), fmtN(t.clangCompared.v3),
    fmtN(t.clangCompared.v4), fmtRatio(t.ratio), ""];
  const geo = ["geometric mean of ratios", "", "", "", "", "", fmtRatio(t.geomean), ""];
  return { head, body, total, geo };
}

function footer(run: BenchRun): string[] {
  const t = run.totals, out: string[] = [];
  out.push(`Whistler ${run.version} at -O${run.opt} -mcpu=v${run.cpu}; ${t.programs} program${t.programs === 1 ? "" : "s"}, ${t.insns} instructions` +
    (run.clang ? `; clang counts recorded with ${run.clang}` : "; no clang counts"));
  if (t.pending.length) out.push(`pending (not in the totals): ${t.pending.join(", ")}`);
  if (t.errors.length) out.push(`errors: ${t.errors.join(", ")}`);
  return out;
}

/** The plain-text table. */
export function textTable(run: BenchRun): string {
  const { head, body, total, geo } = rows(run);
  const all = [head, ...body.map((r) => r.cells), total, geo];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ").trimEnd();
  const sep = w.map((n) => "-".repeat(n)).join("  ");
  const out = [line(head), sep];
  for (const r of body) out.push(line(r.cells) + (r.note ? `  (${r.note.split("\n")[0]})` : ""));
  out.push(sep, line(total), line(geo), "", ...footer(run));
  return out.join("\n") + "\n";
}

/** A GitHub-flavoured Markdown table (for bench/README.md). */
export function markdownTable(run: BenchRun): string {
  const { head, body, total, geo } = rows(run);
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const line = (cells: string[]) => `| ${cells.map(esc).join(" | ")} |`;
  const out = [line(head), `|${head.map((_, i) => (i < 2 ? " --- " : " ---: ")).join("|")}|`];
  for (const r of body) out.push(line(r.cells));
  out.push(line(total.map((c, i) => (i === 0 ? `**${c}**` : c))), line(geo.map((c, i) => (i === 0 ? `**${c}**` : c))));
  out.push("", ...footer(run).map((l) => l + "  "));
  const notes = body.filter((r) => r.note);
  if (notes.length) {
    out.push("", "Notes:", "");
    const seen = new Set<string>();
    for (const r of notes) {
      const k = `${r.cells[0]}: ${r.note!.split("\n")[0]}`;
      if (!seen.has(k)) out.push(`- ${esc(k)}`), seen.add(k);
    }
  }
  return out.join("\n") + "\n";
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A horizontal grouped bar chart: our count and clang's (at our -mcpu) for every program. */
export function svgChart(run: BenchRun): string {
  const key = `v${run.cpu}` as "v1" | "v3" | "v4";
  const items = run.programs.filter((r) => r.program !== null && (r.insns !== null || r.clang));
  const label = (r: BenchRecord) => (r.program && r.program !== r.fixture.replace(/-/g, "_") ? `${r.fixture}/${r.program}` : r.fixture);
  const max = Math.max(1, ...items.map((r) => Math.max(r.insns ?? 0, r.clang?.[key] ?? 0)));
  const labelW = Math.min(300, 7 * Math.max(10, ...items.map((r) => label(r).length)) + 10);
  const barW = 420, rowH = 26, top = 50, width = labelW + barW + 80;
  const height = top + items.length * rowH + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">Instructions per program: Whistler vs clang -O2 (-mcpu=v${run.cpu})</text>`,
    `<rect x="10" y="28" width="12" height="10" fill="#2b7bb9"/><text x="26" y="37">whistler</text>`,
    `<rect x="90" y="28" width="12" height="10" fill="#e08e29"/><text x="106" y="37">clang -O2</text>`,
  ];
  items.forEach((r, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${xml(label(r))}</text>`);
    const bar = (v: number | null | undefined, dy: number, color: string) => {
      if (v === null || v === undefined) {
        out.push(`<text x="${labelW + 4}" y="${y + dy + 9}" fill="#888">${r.status}</text>`);
        return;
      }
      const w = Math.max(1, (v / max) * barW);
      out.push(`<rect x="${labelW}" y="${y + dy}" width="${w.toFixed(1)}" height="10" fill="${color}"/>`);
      out.push(`<text x="${(labelW + w + 4).toFixed(1)}" y="${y + dy + 9}">${v}</text>`);
    };
    bar(r.insns, 2, r.status === "pending" ? "#9bbbd4" : "#2b7bb9");
    bar(r.clang?.[key], 13, "#e08e29");
  });
  const t = run.totals;
  out.push(`<text x="10" y="${height - 10}">total ${t.oursCompared} vs ${t.clangCompared[key]} (ratio ${fmtRatio(t.ratio)}, geometric mean ${fmtRatio(t.geomean)})</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
