// The plugin system (issue 7): the API plugins get (IR, assembler and form helpers, headers,
// options), loading by --plugin and from a config file, the error cases of broken plugins through
// the command line (exit 1, a message naming the plugin, no output file), and the example
// plugins loaded by the single binary. The examples' own tests are in plugins/*/*_test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { compile, render } from "../mod.ts";
import type { Function, Inst, Plugin, PluginApi } from "../mod.ts";
import { compileOk, tempDir } from "./compile_util.ts";
import { EXAMPLES, FIXTURES, HERE, ROOT, binary, insnCounts, whistler } from "./plugins/harness.ts";
import { PluginLoadError, PluginOptionError, findConfig, loadPlugins } from "../host/plugins.ts";

const failure = (src: string, plugins: { plugin: Plugin; options?: Record<string, string> }[]) => {
  const r = compile(src, { file: "t.lisp", plugins });
  assert.equal(r.ok, false, "expected the compile to fail");
  return render(r.diagnostics, (f) => r.sources.get(f));
};
const plugin = (name: string, setup: (api: PluginApi) => void): Plugin => ({ name, setup });

// ---------------------------------------------------------------------------------------------
// The API

test("api.ir: matcher with captures, alternatives, predicates and repeated names; rewrite and newReg", () => {
  const seen: string[] = [];
  // Strength reduction, x * 2^k → x << k: the kind of pass the tutorial builds.
  const p = plugin("shifty", (api) => {
    const { ir } = api;
    api.pass({
      name: "mul-to-shift", kind: "ssa", description: "x * 2^k → x << k", position: { slot: "end" },
      run(fn: Function) {
        const m = ir.matcher(fn);
        const same = m.match(fn.blocks[0].insts.find((i) => i.op === "bin" && i.kind === "add")!, { a: ir.capture("x"), b: ir.capture("x") });
        if (same) seen.push(`add x x: v${same.x}`);
        return ir.rewrite(fn, (inst): Inst[] | undefined => {
          const c = m.match(inst, { op: "bin", kind: ["mul"], w32: (w: unknown) => !w, b: ir.capture("k", { op: "const", value: (v: bigint) => v > 0n && (v & (v - 1n)) === 0n }) });
          if (!c || inst.op !== "bin") return undefined;
          const shift = ir.newReg(fn);
          const k = m.constant(c.k)!;
          return [{ op: "const", dst: shift, value: BigInt(k.toString(2).length - 1) }, { ...inst, kind: "shl", b: shift }];
        });
      },
    });
  });
  const src = `(defprog p (:type :xdp) (let ((x (ctx data))) (declare (type u64 x)) (+ (* x 16) (+ x x))))`;
  const ir = compileOk(src, { plugins: [{ plugin: p }], emit: "ir" }).text!;
  assert.match(ir, /= shl v\d+, v\d+/);
  assert.doesNotMatch(ir, /= mul /);
  assert.deepEqual(seen.length, 1);
});

test("api.asm: constructors, predicates and format are plain functions on the api", () => {
  let asm: PluginApi["asm"] | undefined;
  compileOk(`(defprog p (:type :xdp) XDP_PASS)`, { plugins: [{ plugin: plugin("peek", (api) => void (asm = api.asm)) }] });
  const a = asm!;
  assert.equal(a.format(a.mov64(0, a.imm(2))), "r0 = 0x2");
  assert.equal(a.format(a.alu64("add", 1, 2)), "r1 += r2");
  assert.ok(a.isJump(a.jcond("jeq", 1, a.imm(0), "L1")) && a.isConditionalJump(a.jcond("jeq", 1, a.imm(0), "L1")));
  assert.ok(a.isJump(a.jmp("L1")) && !a.isConditionalJump(a.jmp("L1")));
  assert.ok(a.isExit(a.exit()) && a.isCall(a.call(1)) && !a.isJump(a.call(1)));
  assert.equal(a.aluOp(a.alu32("xor", 3, 3)), "xor");
  assert.ok(a.isLabel({ label: "L1" }) && !a.isLabel(a.exit()));
  assert.equal(a.slots(a.ldImm64(1, 1n << 40n)), 2);
});

test("a peephole pass from a plugin runs on the instruction list and shows in --print-changed", () => {
  // Drop `r0 = 0` right before `r0 = K`: nothing emits that, so insert one and take it out again.
  const p = plugin("peep", (api) => {
    const { asm } = api;
    api.pass({
      name: "add-dead-mov", kind: "peephole", description: "adds a dead mov", position: { slot: "start" },
      run(items) {
        items.splice(0, 0, asm.mov64(0, asm.imm(0)));
        return true;
      },
    });
    api.pass({
      name: "drop-dead-mov", kind: "peephole", description: "drops a mov overwritten by the next one", position: { after: "add-dead-mov" },
      run(items) {
        let changed = false;
        for (let i = 0; i + 1 < items.length; i++) {
          const a = items[i], b = items[i + 1];
          if (asm.isLabel(a) || asm.isLabel(b) || asm.aluOp(a) !== "mov" || asm.aluOp(b) !== "mov" || a.dst !== b.dst || !asm.usesImm(b)) continue;
          items.splice(i--, 1);
          changed = true;
        }
        return changed;
      },
    });
  });
  const log: string[] = [];
  const r = compileOk(`(defprog p (:type :xdp) XDP_DROP)`, { plugins: [{ plugin: p }], hooks: { printChanged: true, log: (t) => log.push(t) } });
  assert.equal(r.programs[0].insns, 2);
  const text = log.join("");
  assert.match(text, /;; add-dead-mov changed p\n\+ \tr0 = 0x0/);
  assert.match(text, /;; drop-dead-mov changed p\n- \tr0 = 0x0/);
});

test("api.forms and ctx.template: a macro takes its call apart and builds the expansion", () => {
  const p = plugin("swap-args", (api) => {
    const F = api.forms;
    api.macro("swapped-", (form, ctx) => {
      const [a, b] = F.args(form);
      if (!F.isCons(form) || F.args(form).length !== 2) ctx.error("two arguments", form);
      return ctx.template("(- ?b ?a)", { a, b });
    });
    api.macro("arg-kinds", (form, ctx) => {
      const kinds = F.args(form).map((d) => (F.isKeyword(d) ? "kw" : F.isSymbol(d) ? "sym" : F.isInt(d) ? "int" : F.isString(d) ? "str" : F.isCons(d) ? "list" : "?"));
      return ctx.template("(progn ?@xs)", { xs: [BigInt(kinds.join(",") === "kw,sym,int,str,list" ? 1 : 0)] });
    });
  });
  const ir = compileOk(`(defprog p (:type :xdp) (+ (swapped- 1 10) (arg-kinds :a b 3 "s" (c))))`, { plugins: [{ plugin: p }], emit: "ir" }).text!;
  assert.match(ir, /const 10\n/); // (- 10 1) + 1
});

test("api.header: bit fields, `where` tests on several fields, a chain of layers, +NAME-hdr-len+", () => {
  const p = plugin("hdrs", (api) => {
    api.header({
      name: "mpls", size: 4, over: { layer: "eth", where: { type: 0x8847 } },
      fields: [
        { name: "label", offset: 0, type: "u32", netOrder: true, shift: 12, bits: 20 },
        { name: "tc", offset: 0, type: "u32", netOrder: true, shift: 9, bits: 3 },
        { name: "ttl", offset: 3, type: "u8" },
      ],
    });
    api.header({ name: "dns", size: 12, over: { layer: "udp", where: { "dst-port": 53, "src-port": 5353 } }, fields: [{ name: "id", offset: 0, type: "u16", netOrder: true }] });
  });
  const asm = compileOk(`(defprog p (:type :xdp)
      (when-let (d (parse-dns (xdp-data) (xdp-data-end))) (return (dns-id d)))
      (with-mpls (data end m) (setf (mpls-label m) 100) (+ (mpls-tc m) (mpls-ttl m) (sizeof mpls) +dns-hdr-len+)))`,
    { plugins: [{ plugin: p }], emit: "asm" }).text!;
  assert.match(asm, /r\d \+= 0x36/); // dns: 14 + 20 + 8 + 12 bytes checked
  assert.match(asm, /!= 0x3500 goto|== 0x3500 goto/); // dst port 53 as the wire reads it
  assert.match(asm, /!= 0xe914 goto|== 0xe914 goto/); // src port 5353
  assert.match(asm, /!= 0x4788 goto/); // ethertype 0x8847
  assert.match(asm, /&= 0xfff\b|&= 0xfff$/m); // setf keeps the low 12 bits of the label word
});

test("PassContext.options and api.options carry --plugin-opt values; declared options are checked", () => {
  let fromSetup: Record<string, string> = {}, fromPass: Record<string, string> = {};
  const p: Plugin = {
    name: "opts", options: { level: "how hard to try" },
    setup(api) {
      fromSetup = { ...api.options };
      api.pass({ name: "opts-pass", kind: "ssa", description: "records its options", position: { slot: "end" }, run: (_fn, ctx) => ((fromPass = { ...ctx.options }), false) });
    },
  };
  compileOk(`(defprog p (:type :xdp) XDP_PASS)`, { plugins: [{ plugin: p, options: { level: "3" } }] });
  assert.deepEqual(fromSetup, { level: "3" });
  assert.deepEqual(fromPass, { level: "3" });
  assert.match(failure(`(defprog p (:type :xdp) 2)`, [{ plugin: p, options: { levle: "3" } }]), /Plugin "opts": unknown option "levle" .*it reads: level/);
});

test("api.lisp: a macro in Lisp source, evaluated at compile time, can use the plugin's TypeScript macros", () => {
  const p = plugin("lispy", (api) => {
    api.macro("twice-ts", (form, ctx) => ctx.template("(* 2 ?x)", { x: api.forms.args(form)[0] }));
    api.lisp(`(defmacro quad (x) \`(twice-ts (twice-ts ,x))) (defconstant +lispy+ 5)`);
  });
  assert.match(compileOk(`(defprog p (:type :xdp) (quad +lispy+))`, { plugins: [{ plugin: p }], emit: "ir" }).text!, /const 20/);
});

// ---------------------------------------------------------------------------------------------
// Loading: --plugin order, config files

test("--plugin keeps its order: the passes of later plugins run later (and --list-passes says whose)", () => {
  const args = (a: string, b: string) => ["compile", "--plugin", join(FIXTURES, a), "--plugin", join(FIXTURES, b), "--print-before=order-a,order-b", "--list-passes", join(ROOT, "examples", "count-xdp.lisp"), "-o", "-"];
  const ab = whistler(HERE, args("order_a.ts", "order_b.ts")), ba = whistler(HERE, args("order_b.ts", "order_a.ts"));
  assert.equal(ab.status, 0, ab.stderr);
  const order = (r: { stderr: string }) => [...r.stderr.matchAll(/;; code before (order-\w)/g)].map((m) => m[1]);
  assert.deepEqual(order(ab), ["order-a", "order-b"]);
  assert.deepEqual(order(ba), ["order-b", "order-a"]);
  assert.match(ab.stdout, /order-a +peephole +changes nothing +\[order-a\]/);
});

test("config: whistler.json and deno.json's \"whistler\" key list plugins once for a project", async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, "src", "deep"), { recursive: true });
    const prog = join(dir, "src", "p.lisp");
    writeFileSync(prog, `(defmap counters :type :array :key-size 4 :value-size 8 :max-entries 1)\n(defprog p (:type :xdp) (count! 0) (+ XDP_PASS (* 0 +vxlan-port+)))`);
    const rel = (f: string) => relative(dir, f);
    writeFileSync(join(dir, "deno.json"), JSON.stringify({ tasks: {}, whistler: { plugins: [rel(EXAMPLES.counters), rel(EXAMPLES.vxlan)], pluginOptions: { vxlan: { port: 4790 } } } }));
    const cfg = findConfig(join(dir, "src", "deep"))!;
    assert.equal(cfg.file, join(dir, "deno.json"));
    assert.deepEqual(cfg.plugins, [EXAMPLES.counters, EXAMPLES.vxlan]);
    const loaded = await loadPlugins([EXAMPLES["array-nonnull"], EXAMPLES.vxlan], { vxlan: { port: "4791" } }, { cwd: join(dir, "src") });
    assert.deepEqual(loaded.map((l) => l.plugin.name), ["counters", "vxlan", "array-nonnull"]); // config first, no duplicates
    assert.deepEqual(loaded[1].options, { port: "4791" }); // --plugin-opt wins over the config
    // whistler.json wins over deno.json in the same directory; the CLI uses it from the cwd.
    writeFileSync(join(dir, "whistler.json"), JSON.stringify({ plugins: [rel(EXAMPLES.counters)] }));
    const r = whistler(HERE, ["compile", "src/p.lisp"], dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\+vxlan-port\+/i); // unknown without the vxlan plugin
    writeFileSync(join(dir, "whistler.json"), JSON.stringify({ plugins: [rel(EXAMPLES.counters), rel(EXAMPLES.vxlan)] }));
    const ok = whistler(HERE, ["compile", "src/p.lisp"], dir);
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(existsSync(join(dir, "src", "p.bpf.o")));
  } finally {
    cleanup();
  }
});

test("config: a broken config file or a missing plugin in it is an error naming the file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "whistler.json"), `{ "plugins": ["./gone.ts"] }`);
    await assert.rejects(loadPlugins([], {}, { cwd: dir }), (e: Error) => e instanceof PluginLoadError && /gone\.ts.*no such file.*\(listed in .*whistler\.json\)/.test(e.message));
    writeFileSync(join(dir, "whistler.json"), `{ "plugins": "./a.ts" }`);
    await assert.rejects(loadPlugins([], {}, { cwd: dir }), /whistler\.json: "plugins" must be a list of file paths/);
    writeFileSync(join(dir, "whistler.json"), `{ plugins: [] }`);
    const r = whistler(HERE, ["compile", join(ROOT, "examples", "count-xdp.lisp"), "-o", join(dir, "x.o")], dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /whistler: error: .*whistler\.json is not valid JSON/);
    assert.ok(!existsSync(join(dir, "x.o")));
    await assert.rejects(loadPlugins([], { nobody: { x: "1" } }, { cwd: ROOT }), (e: Error) => e instanceof PluginOptionError);
  } finally {
    cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// Broken plugins through the command line: exit 1, a clear message naming the plugin, no output

interface Case {
  name: string;
  plugins?: string[];
  opts?: string[];
  source?: string;
  status?: number;
  message: RegExp;
}

const BROKEN = join(FIXTURES, "broken.ts");
const broken = (c: string, message: RegExp, source?: string): Case => ({ name: c, plugins: [BROKEN], opts: [`broken.case=${c}`], message, source });

const CASES: Case[] = [
  { name: "missing file", plugins: [join(FIXTURES, "nope.ts")], message: /Cannot load plugin ".*nope\.ts": no such file/ },
  { name: "syntax error", plugins: ["<syntax>"], message: /Cannot load plugin ".*syntax\.ts": / },
  { name: "throws when imported", plugins: ["<throws>"], message: /Cannot load plugin ".*throws\.ts": .*database is down/ },
  { name: "not an object", plugins: [join(FIXTURES, "not_a_plugin.ts")], message: /Plugin ".*not_a_plugin\.ts" must export \{ name, setup\(api\) \}.*got number/ },
  { name: "no name", plugins: [join(FIXTURES, "no_name.ts")], message: /Plugin ".*no_name\.ts" has no "name"/ },
  { name: "no setup", plugins: [join(FIXTURES, "no_setup.ts")], message: /Plugin ".*no_setup\.ts" "no-setup" has no setup\(api\) function/ },
  { name: "reserved name", plugins: [join(FIXTURES, "reserved.ts")], message: /is named "whistler:mine", but names starting with "whistler:" are reserved/ },
  { name: "two plugins, one name", plugins: [join(FIXTURES, "twin_a.ts"), join(FIXTURES, "twin_b.ts")], message: /Plugin "Twin" \(.*twin_b\.ts\) has the same name as the plugin loaded from .*twin_a\.ts/ },
  { name: "--plugin-opt for no plugin", plugins: [BROKEN], opts: ["nobody.x=1"], status: 2, message: /--plugin-opt nobody\.…: no plugin named "nobody" is loaded \(loaded: broken\)/ },
  { name: "unknown option", plugins: [BROKEN], opts: ["broken.kase=x"], message: /Plugin "broken": unknown option "kase"/ },
  broken("dup-macro", /Plugin "broken" registers macro "when", already registered by "whistler:control"/),
  broken("dup-pass", /Plugin "broken" registers pass "dce", already registered by "whistler:passes"/),
  broken("dup-own", /Plugin "broken" registers constant "\+twice\+", already registered by "broken"/),
  broken("bad-position", /Plugin "broken": pass "lost" asks to run before "no-such-pass", which is not a registered pass/),
  broken("wrong-stage", /Plugin "broken": peephole pass "early-peep" asks to run before "dce", which is an SSA pass/),
  broken("bad-slot", /Plugin "broken": pass "odd" has position \{"slot":"middle"\}; use/),
  broken("bad-pass-name", /Plugin "broken": pass name "MyPass" must be lower case/),
  broken("no-run", /Plugin "broken": pass "no-run" has no run\(\) function/),
  broken("bad-kind", /Plugin "broken": pass "kindless" has kind "tree"; use "ssa" or "peephole"/),
  broken("bad-header", /Plugin "broken": header "odd", field "x": type "u24" is not one of/),
  broken("header-past-end", /Plugin "broken": header "short", field "x" ends at byte 4, past the header's size 2/),
  broken("header-layer", /Plugin "broken": header "sctp" sits over "ipv5", which is not a registered header/),
  broken("header-where", /Plugin "broken": header "geneve": "udp" has no field "dst-prot" \(fields: src-port, dst-port/),
  broken("bad-constant", /Plugin "broken": constant "\+half\+" must be an integer, got 1\.5/),
  broken("setup-throws", /Plugin "broken" failed in setup\(\): cannot find my configuration/),
  broken("async-setup", /Plugin "broken": setup\(\) must register everything before it returns \(it returned a Promise\)/),
  broken("macro-throws", /t\.lisp:1:25: error: Macro "explode" \(from plugin "broken"\) threw: x is not iterable/, "(defprog p (:type :xdp) (explode) 2)"),
  broken("macro-undefined", /t\.lisp:1:25: error: Macro "nothing" \(from plugin "broken"\) returned undefined, not a form/, "(defprog p (:type :xdp) (nothing))"),
  broken("pass-throws", /Pass "thrower" \(from "broken"\) threw while compiling "p": index out of range/),
  broken("breaks-ir", /Pass "breaker" \(from "broken"\) produced invalid IR \(caught by the IR verifier\) for "p":\n +b\d terminator uses v\d+, which is never defined/),
  broken("bad-peephole", /Pass "dangler" \(from "broken"\) produced invalid code for "p":\n +item 0 \(goto .*\) jumps to missing label "nowhere"/),
];

test(`at least 10 error cases for broken plugins (${CASES.length} here)`, () => assert.ok(CASES.length >= 10));

for (const c of CASES) {
  test(`broken plugin (${HERE}): ${c.name}`, () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "syntax.ts"), `export default { name: "syntax", setup(api) { api.macro("x", (f) => f; } };\n`);
      writeFileSync(join(dir, "throws.ts"), `throw new Error("database is down");\nexport default {};\n`);
      writeFileSync(join(dir, "t.lisp"), c.source ?? "(defprog p (:type :xdp) (when (= (ctx data) 0) (return 1)) XDP_PASS)");
      const plugins = (c.plugins ?? []).map((p) => (p === "<syntax>" ? join(dir, "syntax.ts") : p === "<throws>" ? join(dir, "throws.ts") : p));
      const out = join(dir, "t.bpf.o");
      const args = ["compile", ...plugins.flatMap((p) => ["--plugin", p]), ...(c.opts ?? []).flatMap((o) => ["--plugin-opt", o]), "t.lisp", "-o", out];
      const r = whistler(HERE, args, dir);
      assert.equal(r.status, c.status ?? 1, `exit status; stderr:\n${r.stderr}`);
      assert.match(r.stderr, c.message);
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.ok(!existsSync(out), "no output file");
    } finally {
      cleanup();
    }
  });
}

test("a pass that breaks the IR is named by --verify-each too, and the library reports it without throwing", async () => {
  const { default: p } = await import("./plugins/broken.ts");
  const text = failure(`(defprog p (:type :xdp) XDP_PASS)`, [{ plugin: p, options: { case: "breaks-ir" } }]);
  assert.match(text, /^whistler: error: Pass "breaker" \(from "broken"\) produced invalid IR/);
  assert.match(failure(`(defprog p (:type :xdp) 2)`, [{ plugin: { name: "x" } as Plugin }]), /Plugin "x" has no setup\(api\) function/);
});

// ---------------------------------------------------------------------------------------------
// The single binary

test("the single binary loads each example plugin", (t) => {
  const bin = binary();
  if (!bin.path) {
    console.log(`SKIP the single binary loads each example plugin: ${bin.skip}`);
    return t.skip(bin.skip);
  }
  const { dir, cleanup } = tempDir();
  try {
    const vx = join(dir, "vx.lisp");
    writeFileSync(vx, `(defprog vx (:type :xdp) (with-vxlan (d e v) (return (vxlan-vni v))) XDP_PASS)`);
    const ct = join(dir, "ct.lisp");
    writeFileSync(ct, `(defmap counters :type :array :key-size 4 :value-size 8 :max-entries 2) (defprog ct (:type :xdp) (count! (bits 7 1 2)) XDP_PASS)`);
    const runs: Record<string, [string[], string]> = {
      vxlan: [["--plugin", EXAMPLES.vxlan, vx], "vx"],
      counters: [["--plugin", EXAMPLES.counters, ct], "ct"],
      "array-nonnull": [["--plugin", EXAMPLES["array-nonnull"], join(ROOT, "examples", "count-xdp.lisp")], "cx"],
    };
    for (const [name, [args, out]] of Object.entries(runs)) {
      const got = whistler("binary", ["compile", ...args, "-o", join(dir, `${out}.bin.o`)]);
      if (got.status !== 0 && bin.stale) {
        const why = `${bin.path} is older than the sources and fails on ${name} (rebuild it: deno task build): ${got.stderr.split("\n")[0]}`;
        console.log(`SKIP the single binary loads each example plugin: ${why}`);
        return t.skip(why);
      }
      assert.equal(got.status, 0, `${name} with ${bin.path}:\n${got.stderr}`);
      if (bin.stale) continue; // an older build may generate other code: only a fresh one must match
      const want = whistler(HERE, ["compile", ...args, "-o", join(dir, `${out}.o`)]);
      assert.equal(want.status, 0, want.stderr);
      assert.deepEqual(readFileSync(join(dir, `${out}.bin.o`)), readFileSync(join(dir, `${out}.o`)), `${name}: the binary built another object`);
    }
    // The pass plugin's effect, measured with the binary alone.
    const plain = whistler("binary", ["compile", join(ROOT, "examples", "count-xdp.lisp"), "-o", join(dir, "plain.o")]);
    assert.ok(insnCounts(runs["array-nonnull"] && whistler("binary", ["compile", ...runs["array-nonnull"][0], "-o", "-"]).stderr).count_packets <
      insnCounts(plain.stderr).count_packets, "array-nonnull shrinks count-xdp in the binary");
  } finally {
    cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// The tutorial's plugin, as docs/plugins.md shows it

test("docs/plugins.md: the tutorial's finished pass loads and removes count-xdp's null check", () => {
  const doc = readFileSync(join(ROOT, "docs", "plugins.md"), "utf8");
  const code = /<!-- tutorial-final[^\n]*\n```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(code, "the tutorial-final block");
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "nonnull.ts"), code);
    const count = join(ROOT, "examples", "count-xdp.lisp");
    const base = whistler(HERE, ["compile", count, "-o", join(dir, "a.o")]);
    const r = whistler(HERE, ["compile", "--plugin", join(dir, "nonnull.ts"), "--print-changed", "--verify-each", count, "-o", join(dir, "b.o")]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /;; tutorial-nonnull changed count_packets\n[\s\S]*^\+ +jmp b1$/m);
    assert.equal(insnCounts(r.stderr).count_packets, insnCounts(base.stderr).count_packets - 1);
  } finally {
    cleanup();
  }
});
