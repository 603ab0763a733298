// Accessor macros for defstruct (stack structs, mapped values) and defheader (protocol
// headers with byte-order conversion), generated as a plugin per declaration.

import { type Datum, Sym, cells, Cons } from "../sexp.ts";
import type { HeaderDef, MacroContext, Plugin } from "../registry.ts";
import { SCALARS, type StructDecl, type TypeRef, layoutOf } from "../unit.ts";
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
export function structPlugin(s: StructDecl, structs: Map<string, StructDecl>): Plugin {
  return {
    name: `defstruct ${s.name}`,
    setup(api) {
      api.macro(`make-${s.name}`, (form, ctx) => {
        arity(ctx, form, 0, 0);
        return tmpl(ctx.symbols, "(%make-struct ?name)", { name: ctx.sym(s.name) });
      });
      for (const f of s.fields) {
        const acc = `${s.name}-${f.name}`;
        const off = BigInt(f.offset);
        api.macro(`${acc}-ptr`, (form, ctx) => {
          const [p] = arity(ctx, form, 1, 1);
          return tmpl(ctx.symbols, "(+ ?p ?off)", { p, off });
        });
        const t: TypeRef = f.type;
        if (t.kind === "scalar") {
          api.macro(acc, (form, ctx) => {
            const [p] = arity(ctx, form, 1, 1);
            return tmpl(ctx.symbols, `(load ${t.name} ?p ?off)`, { p, off });
          });
          api.setf(acc, (place, value, ctx) => {
            const [p] = arity(ctx, place, 1, 1);
            return tmpl(ctx.symbols, `(store ${t.name} ?p ?off ?value)`, { p, off, value });
          });
        } else if (t.kind === "array" && t.elem.kind === "scalar") {
          const elem = t.elem.name, esize = BigInt(SCALARS[elem].size);
          api.macro(acc, (form, ctx) => {
            const [p, idx] = arity(ctx, form, 1, 2);
            if (idx === undefined) return tmpl(ctx.symbols, "(+ ?p ?off)", { p, off });
            return tmpl(ctx.symbols, `(load ${elem} ?p (+ ?off (* ?idx ?esize)))`, { p, off, idx, esize });
          });
          api.setf(acc, (place, value, ctx) => {
            const [p, idx] = arity(ctx, place, 2, 2);
            return tmpl(ctx.symbols, `(store ${elem} ?p (+ ?off (* ?idx ?esize)) ?value)`, { p, off, idx, esize, value });
          });
        } else {
          // Nested structs and arrays of structs: the accessor gives the address.
          const esize = t.kind === "array" ? BigInt(layoutOf(t.elem, structs).size) : 0n;
          api.macro(acc, (form, ctx) => {
            const [p, idx] = arity(ctx, form, 1, t.kind === "array" ? 2 : 1);
            if (idx === undefined) return tmpl(ctx.symbols, "(+ ?p ?off)", { p, off });
            return tmpl(ctx.symbols, "(+ ?p (+ ?off (* ?idx ?esize)))", { p, off, idx, esize });
          });
        }
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
