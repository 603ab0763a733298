// Help texts for `whistler help [COMMAND]`. tests/help_test.ts checks that every flag listed here
// is accepted by the command's parser and that docs/cli.md lists the same flags.

import { BENCH_HELP } from "./bench.ts";

export const HELP = `whistler — a Lisp for eBPF: compiles Whistler source to BPF ELF objects

Usage:
  whistler compile [options] FILE…   compile (default output NAME.bpf.o beside FILE)
  whistler expand [options] FILE     print the program after macro expansion (compile -E -o -)
  whistler disasm FILE.bpf.o         disassemble any BPF ELF object (ours or clang's)
  whistler bench [options] [FILE|DIR]…
                                     instruction counts against clang -O2; compile-time benchmark
  whistler doctor [--json]           what this machine supports for loading BPF programs
  whistler help [COMMAND]            this help, or a command's
  whistler --version                 version and build (commit, date)

Exit status: 0 ok, 1 an error in the input, 2 a usage error.
Run "whistler help COMMAND" for a command's options.
`;

const COMPILE = `Usage: whistler compile [options] FILE…

Compiles each FILE (- reads standard input) to a BPF ELF object, by default NAME.bpf.o beside
it, and prints one line per program on stderr: name, section, instructions, stack bytes.

Output:
  -o PATH                 output path (one input); -o - writes to stdout
  -S                      write annotated assembly (NAME.s) instead of the object
  -E                      write the fully macro-expanded source (NAME.expanded.lisp) instead
  --emit=obj|asm|ir|expanded
                          the general form of -S / -E (ir: the SSA IR after the passes, NAME.ir)
  -g0                     drop .BTF.ext line info (on by default)
  --gen c|go|rust|python|ts
                          also write userland definitions of the structs, maps and constants
                          (NAME.h, .go, .rs, .py, .ts beside the output; a comma list or repeated)

Code generation:
  -O0 -O1 -O2 -Os         optimisation pipeline (default -O2)
  --passes=a,b,c          run exactly these optimisation passes
  -mcpu=v1|v2|v3|v4       instruction set (default v3)

Input:
  -D NAME=VALUE           define a constant, as defconstant (-D NAME is NAME=1)
  -I DIR                  search path for (include "file.lisp"), after the including file's directory
  --plugin FILE           load a plugin (repeatable, order kept)
  --plugin-opt NAME.KEY=VALUE
                          an option for plugin NAME

Inspecting passes:
  --list-passes           list registered passes and pipelines
  --print-before=P|all    print the IR/code before pass P (comma-separated list)
  --print-after=P|all     print the IR/code after pass P
  --print-changed         print a diff after every pass that changed something
  --verify-each           verify the IR after every pass
  --time-passes           report the time spent in each pass

Diagnostics:
  --json                  diagnostics and summaries as JSON lines on stderr
  -v                      also print each program's stack use by kind and slot

Exit status: 0 ok, 1 an error in the input (or an unreadable file), 2 a usage error.
`;

const EXPAND = `Usage: whistler expand [options] FILE

Prints every program body after macro expansion (the same as "whistler compile -E -o - FILE").
Accepts the compile options that affect expansion: -D, -I, --plugin, --plugin-opt, --json.
`;

const DISASM = `Usage: whistler disasm FILE.bpf.o

Prints the sections, maps, programs (with instruction counts, counted as llvm-objdump -d
does) and instructions of a BPF ELF object — ours or clang's — with map relocations shown by
name and BTF line info as source lines.
`;

const DOCTOR = `Usage: whistler doctor [--json]

Reports what this machine supports for loading and running BPF programs: the kernel version
(and the -mcpu levels it accepts), bpffs, CAP_BPF / CAP_SYS_ADMIN, bpftool, kernel BTF at
/sys/kernel/btf/vmlinux and tracefs, with what to do about each missing piece. Compiling needs
none of them. Always exits 0.

  --json                  the checks as one JSON object instead of text
`;

const HELP_HELP = `Usage: whistler help [COMMAND]

Prints the overview, or the help of COMMAND: compile, expand, disasm, bench, doctor, help, version.
`;

const VERSION_HELP = `Usage: whistler --version

Prints the version, and for a built binary the git commit and date it was built from.
`;

const TOPICS: Record<string, string> = {
  compile: COMPILE, expand: EXPAND, disasm: DISASM, bench: BENCH_HELP, doctor: DOCTOR, help: HELP_HELP,
  version: VERSION_HELP, "--version": VERSION_HELP,
};

/** The help of one command, or undefined for an unknown one. */
export function commandHelp(cmd: string): string | undefined {
  return Object.hasOwn(TOPICS, cmd) ? TOPICS[cmd] : undefined;
}

/** The commands `whistler help` knows. */
export const COMMANDS = ["compile", "expand", "disasm", "bench", "doctor", "help", "version"];
