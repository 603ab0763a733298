// Userland definitions (`whistler compile --gen LANG`): the program's structs with their BTF
// layout, its maps and its constants, for the host side in C, Go, Rust, Python or TypeScript.

import type { GenUnit } from "./layout.ts";
import { genC } from "./c.ts";
import { genGo } from "./go.ts";
import { genRust } from "./rust.ts";
import { genPython } from "./python.ts";
import { genTs } from "./ts.ts";

export type { GenUnit } from "./layout.ts";

export type GenLang = "c" | "go" | "rust" | "python" | "ts";

/** Each language's generator and the file extension of its output (written as NAME.EXT). */
export const GENERATORS: Record<GenLang, { ext: string; gen: (u: GenUnit) => string }> = {
  c: { ext: "h", gen: genC },
  go: { ext: "go", gen: genGo },
  rust: { ext: "rs", gen: genRust },
  python: { ext: "py", gen: genPython },
  ts: { ext: "ts", gen: genTs },
};

export const isGenLang = (s: string): s is GenLang => s in GENERATORS;

/** The definitions for one language. */
export function generate(lang: GenLang, unit: GenUnit): string {
  return GENERATORS[lang].gen(unit);
}
