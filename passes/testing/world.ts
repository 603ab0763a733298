// Test helper: the IR interpreter's fake world plus two helpers the pass tests need —
// get_current_comm (16), which writes through its pointer argument, and map_delete_elem (3).
import { World } from "../../tests/ir_interp.ts";

export class PassWorld extends World {
  override arity(id: number): number {
    if (id === 16) return 2;
    if (id === 3) return 2;
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
    return super.call(id, args);
  }
}
