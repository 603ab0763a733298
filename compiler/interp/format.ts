// FORMAT: ~a ~s ~d ~x ~b ~o ~r ~c ~f ~p ~t ~* ~? ~% ~& ~~ ~newline, case conversion ~( ~),
// iteration ~{ ~} with ~^, and conditionals ~[ ~; ~].

import { Char, type Datum, NIL } from "../sexp.ts";
import type { Interp } from "./interp.ts";

interface Directive {
  /** Index just past the directive character. */
  end: number;
  start: number;
  params: (Datum | undefined)[];
  colon: boolean;
  at: boolean;
  ch: string;
}

class Args {
  constructor(public items: Datum[], public i = 0) {}
  get left(): number {
    return this.items.length - this.i;
  }
}

/** Thrown by ~^ to leave the innermost ~{ (or the whole format). */
class Escape {
  constructor(readonly all: boolean) {}
}

const NAMED: Readonly<Record<number, string>> = Object.freeze({ 32: "Space", 10: "Newline", 9: "Tab", 13: "Return", 0: "Nul", 127: "Rubout" });

export class Formatter {
  private out: string[] = [];
  /** Sublists left after the current step of an enclosing ~:{ (for ~:^). */
  private sublistsLeft: number | undefined;
  constructor(private readonly ip: Interp, private readonly control: string, private lineStart: boolean) {}

  run(args: Datum[]): string {
    try {
      this.process(0, this.control.length, new Args(args));
    } catch (e) {
      if (!(e instanceof Escape)) throw e;
    }
    return this.out.join("");
  }

  private fail(msg: string): never {
    return this.ip.fail(`FORMAT: ${msg} in ${JSON.stringify(this.control)}`);
  }

  private next(args: Args, d: Directive): Datum {
    if (args.i >= args.items.length) this.fail(`not enough arguments for ~${d.ch}`);
    return args.items[args.i++];
  }

  private emit(s: string): void {
    if (!s) return;
    this.out.push(s);
    this.lineStart = s.endsWith("\n");
  }

  private column(): number {
    const text = this.out.join("");
    const nl = text.lastIndexOf("\n");
    return text.length - nl - 1;
  }

  /** Parse the directive starting at `i` (the index of '~'). */
  private directive(i: number, args: Args): Directive {
    const c = this.control;
    const start = i;
    i++;
    const params: (Datum | undefined)[] = [];
    for (;;) {
      let p: Datum | undefined;
      const m = /^[+-]?\d+/.exec(c.slice(i));
      if (m) {
        p = BigInt(m[0]);
        i += m[0].length;
      } else if (c[i] === "'") {
        p = this.ip.keys.char(c.codePointAt(i + 1) ?? 32);
        i += 2;
      } else if (c[i] === "v" || c[i] === "V") {
        p = args.i < args.items.length ? args.items[args.i++] : NIL;
        if (p === NIL) p = undefined;
        i++;
      } else if (c[i] === "#") {
        p = BigInt(args.left);
        i++;
      }
      if (c[i] === ",") {
        params.push(p);
        i++;
        continue;
      }
      if (p !== undefined) params.push(p);
      break;
    }
    let colon = false, at = false;
    while (c[i] === ":" || c[i] === "@") {
      if (c[i] === ":") colon = true;
      else at = true;
      i++;
    }
    if (i >= c.length) this.fail("unterminated directive");
    return { start, end: i + 1, params, colon, at, ch: c[i].toUpperCase() };
  }

  /** Index of the directive closing the one opened at `from` (skipping nested groups). */
  private findClose(from: number, close: string, args: Args): { close: Directive; seps: Directive[] } {
    const c = this.control;
    const seps: Directive[] = [];
    let depth = 0;
    let i = from;
    while (i < c.length) {
      if (c[i] !== "~") {
        i++;
        continue;
      }
      const d = this.directive(i, new Args(args.items, args.items.length));
      if ("({[<".includes(d.ch)) depth++;
      else if (")}]>".includes(d.ch)) {
        if (depth === 0) {
          if (d.ch !== close) this.fail(`~${d.ch} without matching opener`);
          return { close: d, seps };
        }
        depth--;
      } else if (d.ch === ";" && depth === 0) seps.push(d);
      i = d.end;
    }
    return this.fail(`missing ~${close}`);
  }

  private pad(s: string, d: Directive, left: boolean): string {
    const [mincol, colinc, minpad, padchar] = d.params;
    const min = typeof mincol === "bigint" ? Number(mincol) : 0;
    const inc = typeof colinc === "bigint" && colinc > 0n ? Number(colinc) : 1;
    const mp = typeof minpad === "bigint" ? Number(minpad) : 0;
    const ch = padchar instanceof Char ? String.fromCodePoint(padchar.code) : " ";
    let n = mp;
    while (s.length + n < min) n += inc;
    if (n > 10000) this.fail("padding too large");
    return left ? ch.repeat(n) + s : s + ch.repeat(n);
  }

  private integer(x: Datum, radix: number, d: Directive): string {
    if (typeof x !== "bigint") return this.pad(this.ip.print(x, false), { ...d, params: [d.params[0]] }, true);
    const [mincol, padchar, commachar, interval] = d.params;
    let digits = (x < 0n ? -x : x).toString(radix).toUpperCase();
    if (d.colon) {
      const sep = commachar instanceof Char ? String.fromCodePoint(commachar.code) : ",";
      const n = typeof interval === "bigint" && interval > 0n ? Number(interval) : 3;
      const parts: string[] = [];
      for (let i = digits.length; i > 0; i -= n) parts.unshift(digits.slice(Math.max(0, i - n), i));
      digits = parts.join(sep);
    }
    const s = (x < 0n ? "-" : d.at ? "+" : "") + digits;
    const min = typeof mincol === "bigint" ? Number(mincol) : 0;
    if (min > 10000) this.fail("padding too large");
    const ch = padchar instanceof Char ? String.fromCodePoint(padchar.code) : " ";
    return s.length < min ? ch.repeat(min - s.length) + s : s;
  }

  private process(from: number, to: number, args: Args): void {
    const c = this.control;
    let i = from;
    while (i < to) {
      this.ip.tick();
      const tilde = c.indexOf("~", i);
      if (tilde < 0 || tilde >= to) {
        this.emit(c.slice(i, to));
        return;
      }
      this.emit(c.slice(i, tilde));
      const d = this.directive(tilde, args);
      i = d.end;
      const count = typeof d.params[0] === "bigint" ? Number(d.params[0]) : 1;
      switch (d.ch) {
        case "A": case "S": {
          const x = this.next(args, d);
          const s = d.colon && x === NIL ? "()" : this.ip.print(x, d.ch === "S");
          this.emit(this.pad(s, d, d.at));
          break;
        }
        case "D": this.emit(this.integer(this.next(args, d), 10, d)); break;
        case "X": this.emit(this.integer(this.next(args, d), 16, d)); break;
        case "B": this.emit(this.integer(this.next(args, d), 2, d)); break;
        case "O": this.emit(this.integer(this.next(args, d), 8, d)); break;
        case "R": {
          const radix = d.params[0];
          if (typeof radix !== "bigint" || radix < 2n || radix > 36n) this.fail("~R needs a radix between 2 and 36");
          this.emit(this.integer(this.next(args, d), Number(radix), { ...d, params: d.params.slice(1) }));
          break;
        }
        case "C": {
          const x = this.next(args, d);
          if (!(x instanceof Char)) this.fail(`~C expects a character, got ${this.ip.show(x)}`);
          const ch = x as Char;
          this.emit(d.at ? this.ip.print(ch, true) : d.colon ? NAMED[ch.code] ?? String.fromCodePoint(ch.code) : String.fromCodePoint(ch.code));
          break;
        }
        case "F": case "E": case "G": case "$": {
          const x = this.next(args, d);
          const digits = d.ch === "$" ? (typeof d.params[0] === "bigint" ? d.params[0] : 2n) : d.params[1];
          const n = typeof x === "bigint" ? Number(x) : x;
          let s = typeof n === "number" ? (typeof digits === "bigint" ? n.toFixed(Math.min(20, Number(digits))) : this.ip.print(n, false)) : this.ip.print(x, false);
          const w = d.ch === "$" ? undefined : d.params[0];
          if (typeof w === "bigint" && s.length < Number(w)) s = " ".repeat(Math.min(10000, Number(w) - s.length)) + s;
          this.emit(s);
          break;
        }
        case "P": {
          if (d.colon) args.i = Math.max(0, args.i - 1);
          const x = this.next(args, d);
          const one = x === 1n || x === 1;
          this.emit(d.at ? (one ? "y" : "ies") : one ? "" : "s");
          break;
        }
        case "%": this.emit("\n".repeat(Math.min(count, 10000))); break;
        case "&":
          if (count > 0) this.emit((this.lineStart ? "" : "\n") + "\n".repeat(Math.min(count, 10000) - 1));
          break;
        case "~": this.emit("~".repeat(Math.min(count, 10000))); break;
        case "|": this.emit("\f"); break;
        case "\n": {
          if (d.at) this.emit("\n");
          if (!d.colon) while (i < to && /[ \t]/.test(c[i])) i++;
          break;
        }
        case "T": {
          const col = typeof d.params[0] === "bigint" ? Number(d.params[0]) : 1;
          const cur = this.column();
          if (d.at) this.emit(" ".repeat(Math.min(col, 10000)));
          else if (cur < col) this.emit(" ".repeat(Math.min(col - cur, 10000)));
          else this.emit(" ");
          break;
        }
        case "*": {
          if (d.at) args.i = typeof d.params[0] === "bigint" ? Number(d.params[0]) : 0;
          else args.i += d.colon ? -count : count;
          if (args.i < 0 || args.i > args.items.length) this.fail("~* moved outside the arguments");
          break;
        }
        case "?": {
          const sub = this.next(args, d);
          if (typeof sub !== "string") this.fail("~? expects a control string");
          const subArgs = d.at ? args : new Args(this.ip.items(this.next(args, d), "FORMAT"));
          const f = new Formatter(this.ip, sub as string, this.lineStart);
          try {
            f.process(0, (sub as string).length, subArgs);
          } catch (e) {
            if (!(e instanceof Escape)) throw e;
          }
          this.emit(f.out.join(""));
          break;
        }
        case "^": {
          const [p1, p2] = d.params;
          const remaining = d.colon && this.sublistsLeft !== undefined ? this.sublistsLeft : args.left;
          const stop = p1 === undefined ? remaining === 0 : p2 === undefined ? p1 === 0n : p1 === p2;
          if (stop) throw new Escape(d.colon);
          break;
        }
        case "(": {
          const { close } = this.findClose(i, ")", args);
          const inner = new Formatter(this.ip, this.control, this.lineStart);
          inner.process(i, close.start, args);
          const text = inner.out.join("");
          let s: string;
          if (d.colon && d.at) s = text.toUpperCase();
          else if (d.colon) s = text.toLowerCase().replace(/([a-z0-9]+)/g, (w) => w[0].toUpperCase() + w.slice(1));
          else if (d.at) {
            const low = text.toLowerCase();
            const k = low.search(/[a-z]/);
            s = k < 0 ? low : low.slice(0, k) + low[k].toUpperCase() + low.slice(k + 1);
          } else s = text.toLowerCase();
          this.emit(s);
          i = close.end;
          break;
        }
        case "{": {
          const { close } = this.findClose(i, "}", args);
          this.iterate(d, i, close, args);
          i = close.end;
          break;
        }
        case "[": {
          const { close, seps } = this.findClose(i, "]", args);
          const starts = [i, ...seps.map((s) => s.end)];
          const ends = [...seps.map((s) => s.start), close.start];
          let pick: number;
          if (d.at) {
            const x = this.next(args, d);
            if (x === NIL) {
              i = close.end;
              break;
            }
            args.i--;
            pick = 0;
          } else if (d.colon) pick = this.next(args, d) === NIL ? 0 : 1;
          else {
            const x = typeof d.params[0] === "bigint" ? d.params[0] : this.next(args, d);
            if (typeof x !== "bigint") this.fail("~[ expects an integer argument");
            pick = Number(x);
            const lastIsDefault = seps.length > 0 && seps[seps.length - 1].colon;
            if ((pick < 0 || pick >= starts.length) && lastIsDefault) pick = starts.length - 1;
          }
          if (pick >= 0 && pick < starts.length) this.process(starts[pick], ends[pick], args);
          i = close.end;
          break;
        }
        case ";": case ")": case "}": case "]":
          this.fail(`~${d.ch} without matching opener`);
          break;
        default:
          this.fail(`unknown directive ~${d.ch}`);
      }
    }
  }

  private iterate(d: Directive, bodyStart: number, close: Directive, args: Args): void {
    const max = typeof d.params[0] === "bigint" ? Number(d.params[0]) : Infinity;
    const atLeastOnce = close.colon;
    const runBody = (a: Args): boolean => {
      try {
        this.process(bodyStart, close.start, a);
        return true;
      } catch (e) {
        if (!(e instanceof Escape)) throw e;
        return d.colon && !e.all;
      }
    };
    const source = d.at ? args : new Args(this.ip.items(this.next(args, d), "FORMAT"));
    let n = 0;
    while (n < max && (source.left > 0 || (atLeastOnce && n === 0))) {
      this.ip.tick();
      n++;
      if (d.colon) {
        const sub = new Args(this.ip.items(this.next(source, d), "FORMAT"));
        const saved = this.sublistsLeft;
        this.sublistsLeft = source.left;
        const go = runBody(sub);
        this.sublistsLeft = saved;
        if (!go) break;
        continue;
      }
      const before = source.i;
      if (!runBody(source)) break;
      if (source.i === before && source.left > 0) this.fail("~{ body consumes no arguments");
    }
  }
}

/** Run FORMAT's directives; `lineStart` says whether output so far ends a line (for ~&). */
export function format(ip: Interp, control: string, args: Datum[], lineStart = true): string {
  return new Formatter(ip, control, lineStart).run(args);
}
