// Test-only helper (not exported from mod.ts): assembles BPF text with llvm-mc-19, disassembles
// with llvm-objdump-19, and checks encode/decode/formatInsn against the result.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import type { Insn } from "./insn.ts";
import { encode } from "./encode.ts";
import { decode } from "./decode.ts";
import { formatInsn } from "./format.ts";

export const LLVM_MC = "llvm-mc-19";
export const LLVM_OBJDUMP = "llvm-objdump-19";

/** True when both llvm tools run. */
export function haveLlvm(): boolean {
  const ok = (tool: string) => {
    try {
      return spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0;
    } catch {
      return false;
    }
  };
  return ok(LLVM_MC) && ok(LLVM_OBJDUMP);
}

/** Skip the current test visibly when llvm is missing; returns true if skipped. */
export function skipWithoutLlvm(t: { skip: (msg?: string) => void }): boolean {
  if (haveLlvm()) return false;
  console.log(`SKIP: ${LLVM_MC} not installed`);
  t.skip(`${LLVM_MC} not installed`);
  return true;
}

export interface DisasmLine {
  bytes: number[];
  /** Instruction text as llvm-objdump prints it, including any ` <symbol>` annotation. */
  text: string;
}

/** Assemble `source` (bpfel, mcpu v4) and disassemble it with the given --mcpu (none = default). */
export function llvmDisasm(source: string, mcpu?: string): DisasmLine[] {
  const dir = mkdtempSync(join(tmpdir(), "whistler-asm-"));
  try {
    const src = join(dir, "t.s");
    const obj = join(dir, "t.o");
    writeFileSync(src, source.endsWith("\n") ? source : source + "\n");
    const mc = spawnSync(LLVM_MC, ["-triple=bpfel", "-mcpu=v4", "-filetype=obj", src, "-o", obj], { encoding: "utf8" });
    if (mc.status !== 0) throw new Error(`${LLVM_MC} failed:\n${mc.stderr}`);
    const args = ["-d", "-z", ...(mcpu ? [`--mcpu=${mcpu}`] : []), obj];
    const od = spawnSync(LLVM_OBJDUMP, args, { encoding: "utf8" });
    if (od.status !== 0) throw new Error(`${LLVM_OBJDUMP} failed:\n${od.stderr}`);
    const lines: DisasmLine[] = [];
    for (const line of od.stdout.split("\n")) {
      const m = /^\s*\d+:\t([0-9a-f]{2}(?: [0-9a-f]{2})*)\s*\t(.*)$/.exec(line);
      if (m) lines.push({ bytes: m[1].split(" ").map((b) => parseInt(b, 16)), text: m[2] });
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Drop llvm-objdump's trailing ` <sym+0x..>` jump annotation. */
export const stripAnnotation = (text: string): string => text.replace(/ <[^<>\s]*>$/, "");

/** Sample entries: llvm assembly text and the record we expect it to encode to. */
export type Sample = ReadonlyArray<readonly [asm: string, insn: Insn]>;

/**
 * For each entry: encode(insn) equals llvm-mc's bytes, decode gives the record back, and
 * formatInsn equals llvm-objdump's text both by default and with --mcpu=v4 (alu32).
 */
export function checkAgainstLlvm(sample: Sample): void {
  const source = sample.map(([asm]) => asm).join("\n");
  const plain = llvmDisasm(source);
  const v4 = llvmDisasm(source, "v4");
  assert.equal(plain.length, sample.length, "llvm-objdump line count");
  sample.forEach(([asm, insn], i) => {
    assert.deepEqual([...encode([insn])], plain[i].bytes, `bytes of ${asm}`);
    assert.deepEqual(decode(encode([insn])), [insn], `decode round trip of ${asm}`);
    // Without --mcpu, llvm-objdump-19 decodes every 32-bit atomic except plain add as <unknown>,
    // and misprints the fetch forms of add as `lock ... += rN`; compare only the alu32 text then.
    const atomic32 = insn.code === 0xc3 && insn.imm !== 0;
    if (plain[i].text !== "<unknown>" && !atomic32) {
      assert.equal(formatInsn(insn), stripAnnotation(plain[i].text), `default text of ${asm}`);
    }
    assert.equal(formatInsn(insn, { alu32: true }), stripAnnotation(v4[i].text), `--mcpu=v4 text of ${asm}`);
  });
}

/** Format-only check for encodings llvm-mc cannot write from text: feed the bytes as `.byte`. */
export function checkFormatOfBytes(insns: Insn[]): void {
  const source = insns.map((insn) => `.byte ${[...encode([insn])].join(", ")}`).join("\n");
  const plain = llvmDisasm(source);
  const v4 = llvmDisasm(source, "v4");
  insns.forEach((insn, i) => {
    const back = decode(encode([insn]))[0];
    if (plain[i].text !== "<unknown>") assert.equal(formatInsn(back), stripAnnotation(plain[i].text), `text of ${plain[i].text}`);
    assert.equal(formatInsn(back, { alu32: true }), stripAnnotation(v4[i].text), `--mcpu=v4 text of ${v4[i].text}`);
  });
}
