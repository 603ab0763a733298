// A fixed-size set of small non-negative integers (register numbers), for liveness and
// interference sets. Iteration is in increasing order, so everything built on it is deterministic.

export class BitSet {
  readonly words: Uint32Array;

  constructor(readonly size: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array((size + 31) >>> 5);
  }

  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    this.words[i >>> 5] |= 1 << (i & 31);
  }

  delete(i: number): void {
    this.words[i >>> 5] &= ~(1 << (i & 31));
  }

  clone(): BitSet {
    return new BitSet(this.size, this.words.slice());
  }

  /** this |= other; returns whether anything was added. */
  unionWith(other: BitSet): boolean {
    let changed = false;
    const a = this.words, b = other.words;
    for (let k = 0; k < a.length; k++) {
      const v = (a[k] | b[k]) >>> 0;
      if (v !== a[k]) {
        a[k] = v;
        changed = true;
      }
    }
    return changed;
  }

  /** Members in increasing order. */
  toArray(): number[] {
    const out: number[] = [];
    const w = this.words;
    for (let k = 0; k < w.length; k++) {
      let v = w[k];
      while (v !== 0) {
        const bit = 31 - Math.clz32(v & -v);
        out.push((k << 5) + bit);
        v &= v - 1;
      }
    }
    return out;
  }
}
