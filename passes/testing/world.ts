// Test helper: the IR interpreter's fake world plus two helpers the pass tests need —
// get_current_comm (16), which writes through its pointer argument, map_delete_elem (3), and
// strncmp (182), which reads through two pointers (a hash of both byte strings stands in).
import { World } from "../../tests/ir_interp.ts";

export class PassWorld extends World {
  override arity(id: number): number {
    if (id === 16) return 2;
    if (id === 3) return 2;
    if (id === 182) return 3;
    return super.arity(id);
  }

  override call(id: number, args: bigint[]): bigint {
    if (id === 16) { // get_current_comm(buf, size): fills the buffer
      const n = Number(args[1] & 0xffn);
      for (let i = 0; i < n; i++) this.mem.store(args[0] + BigInt(i), 1, BigInt((0x41 + i) & 0xff));
      this.trace.push(`comm ${n}`);
      return 0n;
    }
    if (id === 3) { // map_delete_elem(map, &key): logged only
      this.trace.push(`delete ${Number(this.mem.load(args[1], 4))}`);
      return 0n;
    }
    if (id === 182) { // strncmp(s1, n, s2)
      const n = Number(args[1] & 7n);
      let h = 0x811c9dc5n;
      for (let i = 0; i < n; i++) h = ((h ^ this.mem.load(args[0] + BigInt(i), 1)) * 0x01000193n) & 0xffffffffn;
      for (let i = 0; i < n; i++) h = ((h ^ this.mem.load(args[2] + BigInt(i), 1)) * 0x01000193n) & 0xffffffffn;
      this.trace.push(`strncmp ${n} -> ${h}`);
      return h;
    }
    return super.call(id, args);
  }
}
