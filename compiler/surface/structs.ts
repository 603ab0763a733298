// Accessor macros for defstruct (stack structs, mapped values) and defheader (protocol
// headers with byte-order conversion), generated as a plugin per declaration; sizeof and
// the setf place of (@ TYPE ptr [offset]).

import { type Datum, Sym, cells, Cons } from "../sexp.ts";
import type { HeaderDef, MacroContext, Plugin } from "../registry.ts";
import { SCALARS, type StructDecl, type TypeRef } from "../unit.ts";
import { tmpl } from "./template.ts";

const args = (form: Cons): Datum[] => cells(form.cdr).map((c) => c.car);

function arity(ctx: MacroContext, form: Cons, min: number, max: number): Datum[] {
  const a = args(form);
  if (a.length < min || a.length > max) {
    const want = min === max ? `${min}` : `${min} or ${max}`;
    ctx.error(`"${(form.car as Sym).name.toLowerCase()}" takes ${want} argument${want === "1" ? "" : "s"}, got ${a.length}`, form);
  }
  return a;
}

/** Accessors, setf places, make-NAME and NAME-FIELD-ptr for a struct. */
export function structPlugin(s: StructDecl, _structs?: Map<string, StructDecl>): Plugin {
  return {
    name: `defstruct ${s.name}`,
    setup(api) {
      api.macro(`make-${s.name}`, (form, ctx) => {
        arity(ctx, form, 0, 0);
        return tmpl(ctx.symbols, "(%make-struct ?name)", { name: ctx.sym(s.name) });
      });
      // Accessors expand to %field forms, lowered in compiler/mapped.ts: the same code for
      // stack values, mapped values and kernel structs (which take CO-RE relocations).
      for (const f of s.fields) {
        const acc = `${s.name}-${f.name}`;
        const holes = (ctx: MacroContext) => ({ s: ctx.sym(s.name), f: ctx.sym(f.name) });
        api.macro(`${acc}-ptr`, (form, ctx) => {
          const [p] = arity(ctx, form, 1, 1);
          return tmpl(ctx.symbols, "(%field-ptr ?s ?f ?p)", { ...holes(ctx), p });
        });
        const t: TypeRef = f.type;
        const indexed = t.kind === "array";
        api.macro(acc, (form, ctx) => {
          const [p, idx] = arity(ctx, form, 1, indexed ? 2 : 1);
          if (idx === undefined) return tmpl(ctx.symbols, "(%field ?s ?f ?p)", { ...holes(ctx), p });
          return tmpl(ctx.symbols, "(%field ?s ?f ?p ?idx)", { ...holes(ctx), p, idx });
        });
        // setf of a scalar stores it; of a struct (or a whole array) copies the value's bytes in.
        api.setf(acc, (place, value, ctx) => {
          const [p, idx] = arity(ctx, place, 1, indexed ? 2 : 1);
          if (idx === undefined) return tmpl(ctx.symbols, "(%field-set ?s ?f ?p ?value)", { ...holes(ctx), p, value });
          return tmpl(ctx.symbols, "(%field-set ?s ?f ?p ?idx ?value)", { ...holes(ctx), p, idx, value });
        });
      }
    },
  };
}

/** (sizeof NAME): the size in bytes of a struct or header, as a constant. */
export const sizeofPlugin: Plugin = {
  name: "whistler:sizeof",
  setup(api) {
    api.macro("sizeof", (form, ctx) => {
      const [t] = arity(ctx, form, 1, 1);
      const name = t instanceof Sym ? t.name.toLowerCase() : undefined;
      const scalar: Record<string, bigint> = { u8: 1n, i8: 1n, u16: 2n, i16: 2n, u32: 4n, i32: 4n, u64: 8n, i64: 8n };
      if (name && scalar[name]) return scalar[name];
      const s = name ? ctx.struct(name) : undefined;
      if (s) return BigInt(s.size);
      const hdr = name ? ctx.constant(`+${name}-hdr-len+`) : undefined;
      if (hdr !== undefined) return hdr;
      return ctx.error(`sizeof: unknown type ${name ? `"${name}"` : ""} (a struct, header or scalar type)`, form);
    });
    // (setf (@ TYPE ptr [offset]) value): copy a struct value's bytes into mapped memory.
    api.setf("@", (place, value, ctx) => {
      const a = arity(ctx, place, 2, 3);
      return tmpl(ctx.symbols, "(%store@ ?@a ?value)", { a, value });
    });
  },
};

/** Accessors `(NAME-FIELD ptr)` with ntoh conversion for :net-order fields, and their setf. */
export function headerPlugin(h: HeaderDef, pluginName = `defheader ${h.name}`): Plugin {
  return {
    name: pluginName,
    setup(api) {
      for (const f of h.fields) {
        const acc = `${h.name}-${f.name}`;
        const size = SCALARS[f.type].size;
        const swap = f.netOrder && size > 1 ? ({ 2: "ntohs", 4: "ntohl", 8: "ntohll" } as Record<number, string>)[size] : undefined;
        const off = BigInt(f.offset);
        api.macro(acc, (form, ctx) => {
          const [p] = arity(ctx, form, 1, 1);
          const load = tmpl(ctx.symbols, `(load ${f.type} ?p ?off)`, { p, off });
          return swap ? tmpl(ctx.symbols, `(${swap} ?load)`, { load }) : load;
        });
        api.setf(acc, (place, value, ctx) => {
          const [p] = arity(ctx, place, 1, 1);
          const v = swap ? tmpl(ctx.symbols, `(${swap.replace("ntoh", "hton")} ?value)`, { value }) : value;
          return tmpl(ctx.symbols, `(store ${f.type} ?p ?off ?v)`, { p, off, v });
        });
      }
    },
  };
}
