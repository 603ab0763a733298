#!/usr/bin/env -S deno run -A
// The whistler command line: compile, expand, disasm, bench, doctor, help. Parses arguments, reads files
// through the host layer, calls the pure compiler, renders diagnostics, writes outputs atomically.

import process from "node:process";
import { compile, type CompileOptions, type CompileResult, type EmitKind, type OptLevel } from "./compiler/compile.ts";
import { type Diagnostic, error as errorDiag, render, renderJson } from "./compiler/diag.ts";
import { Registry, RegistryError } from "./compiler/registry.ts";
import { checkPositions } from "./compiler/plugin_api.ts";
import { PluginLoadError, PluginOptionError, loadPlugins } from "./host/plugins.ts";
import { BUILTIN_PLUGINS } from "./compiler/builtins.ts";
import { listPasses } from "./compiler/pipeline.ts";
import { hostFiles, readBytes, writeAtomic } from "./host/fs.ts";
import { versionText } from "./host/version.ts";
import { disassemble } from "./host/disasm.ts";
import { HELP, commandHelp } from "./host/help.ts";
import { cmdDoctor } from "./host/doctor.ts";
import { summaryJson, summaryText, withStackBreakdown } from "./host/summary.ts";
import { BenchUsageError, cmdBench } from "./host/bench.ts";
import { GENERATORS, type GenLang, isGenLang } from "./compiler/gen/mod.ts";

class UsageError extends Error {}

interface Parsed {
  files: string[];
  output?: string;
  opt: OptLevel;
  passes?: string[];
  cpu: 1 | 2 | 3 | 4;
  emit: EmitKind;
  lineInfo: boolean;
  defines: Record<string, bigint>;
  includes: string[];
  plugins: string[];
  pluginOpts: Record<string, Record<string, string>>;
  printBefore?: Set<string> | "all";
  printAfter?: Set<string> | "all";
  printChanged: boolean;
  verifyEach: boolean;
  timePasses: boolean;
  listPasses: boolean;
  json: boolean;
  gen: string[];
  verbose: boolean;
}

function parseNames(v: string): Set<string> | "all" {
  return v === "all" ? "all" : new Set(v.split(",").map((s) => s.trim()).filter(Boolean));
}

/** Parse compile options (clang-style: -O2, -mcpu=v3, -D X=1, -I dir, --flag=value or --flag value). */
export function parseCompileArgs(args: string[]): Parsed {
  const p: Parsed = {
    files: [], opt: "2", cpu: 3, emit: "obj", lineInfo: true, defines: {}, includes: [], plugins: [], pluginOpts: {},
    printChanged: false, verifyEach: false, timePasses: false, listPasses: false, json: false, gen: [], verbose: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (name: string): string => {
      const eq = a.indexOf("=");
      if (a.startsWith("--") && eq > 0) return a.slice(eq + 1);
      if (i + 1 >= args.length) throw new UsageError(`Option ${name} needs a value`);
      return args[++i];
    };
    const flag = a.startsWith("--") ? a.split("=")[0] : a;
    if (a === "-o") p.output = value("-o");
    else if (/^-O[012s]$/.test(a)) p.opt = a.slice(2) as OptLevel;
    else if (a.startsWith("-O")) throw new UsageError(`Unknown optimisation level "${a}" (use -O0, -O1, -O2 or -Os)`);
    else if (flag === "--passes") p.passes = value("--passes").split(",").map((s) => s.trim()).filter(Boolean);
    else if (a.startsWith("-mcpu=")) {
      const m = /^-mcpu=v([1-4])$/.exec(a);
      if (!m) throw new UsageError(`Unknown CPU "${a.slice(6)}" (use -mcpu=v1, v2, v3 or v4)`);
      p.cpu = Number(m[1]) as 1 | 2 | 3 | 4;
    } else if (a === "-S") p.emit = "asm";
    else if (a === "-E") p.emit = "expanded";
    else if (flag === "--emit") {
      const e = value("--emit");
      if (!["obj", "asm", "ir", "expanded"].includes(e)) throw new UsageError(`Unknown --emit kind "${e}" (use obj, asm, ir or expanded)`);
      p.emit = e as EmitKind;
    } else if (a === "-g0") p.lineInfo = false;
    else if (a === "-g") p.lineInfo = true;
    else if (a === "-D" || (a.startsWith("-D") && a.length > 2)) {
      const def = a === "-D" ? value("-D") : a.slice(2);
      const m = /^([^=]+)(?:=(.*))?$/.exec(def)!;
      const raw = m[2] ?? "1";
      let v: bigint;
      try {
        v = BigInt(raw.replace(/^#x/i, "0x"));
      } catch {
        throw new UsageError(`-D ${m[1]}: "${raw}" is not an integer`);
      }
      p.defines[m[1].toLowerCase()] = v;
    } else if (a === "-I" || (a.startsWith("-I") && a.length > 2)) p.includes.push(a === "-I" ? value("-I") : a.slice(2));
    else if (flag === "--plugin") p.plugins.push(value("--plugin"));
    else if (flag === "--plugin-opt") {
      const v = value("--plugin-opt");
      const m = /^([^.=]+)\.([^=]+)=(.*)$/.exec(v);
      if (!m) throw new UsageError(`--plugin-opt takes NAME.KEY=VALUE, got "${v}"`);
      (p.pluginOpts[m[1]] ??= {})[m[2]] = m[3];
    } else if (flag === "--print-before") p.printBefore = parseNames(value("--print-before"));
    else if (flag === "--print-after") p.printAfter = parseNames(value("--print-after"));
    else if (a === "--print-changed") p.printChanged = true;
    else if (a === "--verify-each") p.verifyEach = true;
    else if (a === "--time-passes") p.timePasses = true;
    else if (a === "--list-passes") p.listPasses = true;
    else if (a === "--json") p.json = true;
    else if (a === "-v" || a === "--verbose") p.verbose = true;
    else if (flag === "--gen") {
      for (const lang of value("--gen").split(",")) {
        if (!isGenLang(lang)) throw new UsageError(`--gen takes ${Object.keys(GENERATORS).join(", ")}, got "${lang}"`);
        p.gen.push(lang);
      }
    }
    else if (a === "-") p.files.push(a);
    else if (a.startsWith("-")) throw new UsageError(`Unknown option "${a}"; see "whistler help compile"`);
    else p.files.push(a);
  }
  return p;
}

function emitDiagnostics(diags: Diagnostic[], result: Pick<CompileResult, "sources">, json: boolean): void {
  if (!diags.length) return;
  diags = withStackBreakdown(diags);
  process.stderr.write(json ? renderJson(diags) : render(diags, (f) => result.sources.get(f)));
}

function defaultOutput(file: string, emit: EmitKind): string {
  const base = file.replace(/\.(lisp|lsp|wl|cl)$/i, "");
  return base + ({ obj: ".bpf.o", asm: ".s", ir: ".ir", expanded: ".expanded.lisp" } as const)[emit];
}

async function cmdCompile(args: string[], forceEmit?: EmitKind): Promise<number> {
  const p = parseCompileArgs(args);
  if (forceEmit) {
    p.emit = forceEmit;
    p.output ??= "-";
  }
  let plugins;
  try {
    plugins = await loadPlugins(p.plugins, p.pluginOpts);
  } catch (e) {
    if (e instanceof PluginOptionError) throw new UsageError(e.message);
    if (!(e instanceof PluginLoadError)) throw e;
    process.stderr.write(`whistler: error: ${e.message}\n`);
    return 1;
  }
  if (p.listPasses) {
    const reg = new Registry();
    try {
      for (const b of BUILTIN_PLUGINS) reg.use(b);
      for (const { plugin, options } of plugins) reg.use(plugin, options);
      checkPositions(reg);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      process.stderr.write(`whistler: error: ${e.message}\n`);
      return 1;
    }
    process.stdout.write(listPasses(reg));
    if (!p.files.length) return 0;
  }
  if (!p.files.length) throw new UsageError("No input file; usage: whistler compile [options] FILE…");
  if (p.output && p.files.length > 1) throw new UsageError("-o can only be used with one input file");
  if (p.gen.length && p.files.includes("-") && (p.output ?? "-") === "-") throw new UsageError("--gen writes files beside the output: give -o PATH or a named input file");
  let failed = false;
  for (const file of p.files) {
    const source = file === "-" ? await readStdin() : hostFiles.readText(file);
    if (source === undefined) {
      emitDiagnostics([errorDiag(`Cannot read input file "${file}"`)], { sources: new Map() }, p.json);
      failed = true;
      continue;
    }
    const display = file === "-" ? "<stdin>" : file;
    const clock = () => performance.now();
    const timings = new Map<string, number>();
    const opts: CompileOptions = {
      file: display, opt: p.opt, passes: p.passes, cpu: p.cpu, lineInfo: p.lineInfo, defines: p.defines,
      includePaths: p.includes, files: hostFiles, plugins, emit: p.emit, gen: p.gen as GenLang[],
      hooks: {
        printBefore: p.printBefore, printAfter: p.printAfter, printChanged: p.printChanged, verifyEach: p.verifyEach,
        timePasses: p.timePasses, clock, timings, log: (t) => process.stderr.write(t),
      },
    };
    const result = compile(source, opts);
    emitDiagnostics(result.diagnostics, result, p.json);
    if (!result.ok) {
      failed = true;
      continue;
    }
    const out = p.output ?? (file === "-" ? "-" : defaultOutput(file, p.emit));
    const data = result.object ?? result.text ?? "";
    if (out === "-") process.stdout.write(data);
    else writeAtomic(out, data);
    // --gen: NAME.h / .go / .rs / .py / .ts beside the output (NAME: the output without .bpf.o, .o, .s, …).
    const genBase = (out === "-" ? defaultOutput(file, "obj") : out).replace(/(\.bpf)?\.(o|s|ir|lisp)$/, "").replace(/\.expanded$/, "");
    for (const [lang, text] of Object.entries(result.generated ?? {})) writeAtomic(`${genBase}.${GENERATORS[lang as GenLang].ext}`, text);
    if (p.emit === "obj" || p.emit === "asm") {
      process.stderr.write(p.json ? summaryJson(display, out, result.programs) : summaryText(result.programs, p.verbose));
    }
    if (p.timePasses) {
      for (const [name, ms] of [...timings].sort((a, b) => b[1] - a[1])) process.stderr.write(`  ${ms.toFixed(3).padStart(9)} ms  ${name}\n`);
    }
  }
  return failed ? 1 : 0;
}

async function readStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of process.stdin) chunks.push(c as Uint8Array);
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function cmdDisasm(args: string[]): number {
  if (args.length !== 1 || args[0].startsWith("-")) throw new UsageError("usage: whistler disasm FILE.bpf.o");
  let bytes: Uint8Array;
  try {
    bytes = readBytes(args[0]);
  } catch {
    process.stderr.write(`whistler: error: Cannot read "${args[0]}"\n`);
    return 1;
  }
  try {
    process.stdout.write(disassemble(bytes, args[0]));
  } catch (e) {
    process.stderr.write(`whistler: error: ${args[0]}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  // Usage errors of compile/expand --json are JSON diagnostics too (editors parse every line).
  const jsonErrors = (cmd === "compile" || cmd === "expand") && rest.includes("--json");
  try {
    if (cmd && cmd !== "bench" && commandHelp(cmd) && (rest.includes("--help") || rest.includes("-h"))) {
      return (process.stdout.write(commandHelp(cmd)!), 0);
    }
    switch (cmd) {
      case undefined: case "help": case "--help": case "-h": {
        if (rest.length > 1) throw new UsageError("usage: whistler help [COMMAND]");
        const text = rest[0] === undefined ? HELP : commandHelp(rest[0]);
        if (text === undefined) throw new UsageError(`Unknown command "${rest[0]}"; see "whistler help"`);
        process.stdout.write(text);
        return 0;
      }
      case "--version": case "version":
        process.stdout.write(versionText() + "\n");
        return 0;
      case "compile":
        return await cmdCompile(rest);
      case "expand":
        return await cmdCompile(rest, "expanded");
      case "disasm":
        return cmdDisasm(rest);
      case "doctor":
        if (rest.some((a) => a !== "--json")) throw new UsageError(`Unknown option "${rest.find((a) => a !== "--json")}"; usage: whistler doctor [--json]`);
        return cmdDoctor(rest);
      case "bench":
        try {
          return cmdBench(rest);
        } catch (e) {
          if (e instanceof BenchUsageError) throw new UsageError(e.message);
          throw e;
        }
      default:
        throw new UsageError(`Unknown command "${cmd}"; see "whistler help"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(jsonErrors ? renderJson([errorDiag(e.message)]) : `whistler: error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`whistler: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\nThis is a bug in whistler; please report it with the input that caused it.\n`);
    return 70;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--")));
}
