// Help texts for `whistler help [COMMAND]`; a test checks every flag listed here is accepted.

export const HELP = `whistler — a Lisp for eBPF: compiles Whistler source to BPF ELF objects

Usage:
  whistler compile [options] FILE…   compile (default output NAME.bpf.o beside FILE)
  whistler expand FILE               print the fully macro-expanded program (compile -E -o -)
  whistler disasm FILE.bpf.o         disassemble any BPF ELF object
  whistler help [COMMAND]            this help, or a command's
  whistler --version

Run "whistler help compile" for the compiler's options.
`;

const COMPILE = `Usage: whistler compile [options] FILE…

Output:
  -o PATH                 output path (one input); -o - writes to stdout
  -S                      write annotated assembly (NAME.s) instead of the object
  -E                      write the fully macro-expanded source instead
  --emit=obj|asm|ir|expanded
                          the general form of -S / -E (ir: the SSA IR after the passes)
  -g0                     drop .BTF.ext line info (on by default)

Code generation:
  -O0 -O1 -O2 -Os         optimisation pipeline (default -O2)
  --passes=a,b,c          run exactly these optimisation passes
  -mcpu=v1|v2|v3|v4       instruction set (default v3)

Input:
  -D NAME=VALUE           define a constant, as defconstant
  -I DIR                  search path for (include "file.lisp")
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
  --json                  diagnostics as JSON lines on stderr
  -v                      also print each program's stack slots

Exit status: 0 ok, 1 an error in the input, 2 a usage error.
`;

const EXPAND = `Usage: whistler expand [options] FILE

Prints every program body after macro expansion (the same as "whistler compile -E -o - FILE").
Accepts the compile options that affect expansion: -D, -I, --plugin, --plugin-opt, --json.
`;

const DISASM = `Usage: whistler disasm FILE.bpf.o

Prints the sections, programs (with instruction counts), maps and instructions of a BPF ELF
object — ours or clang's — with map relocations shown by name and BTF line info as source lines.
`;

export function commandHelp(cmd: string): string | undefined {
  return ({ compile: COMPILE, expand: EXPAND, disasm: DISASM } as Record<string, string>)[cmd];
}
