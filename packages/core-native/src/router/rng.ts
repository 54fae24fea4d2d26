/**
 * mulberry32: a 32-bit seeded generator, chosen because it is exact in both JS (`Math.imul`) and
 * Rust (`wrapping_mul`), so both engines draw the same numbers from the same seed.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return (value ^ (value >>> 14)) >>> 0;
  }

  /** A number in [0, 1). */
  nextUnit(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, count). */
  nextIndex(count: number): number {
    return Math.floor(this.nextUnit() * count);
  }
}
