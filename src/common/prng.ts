/**
 * Seeded pseudo-random numbers (splitmix32 mixed into a xorshift128+ style state), with named
 * sub-streams so that adding randomness in one place does not shift the numbers seen elsewhere.
 */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = mix32(seed >>> 0 ^ 0x9e3779b9);
  }

  /** A generator derived from this seed and a name; independent of draws made on this one. */
  stream(name: string): Prng {
    let h = this.seed >>> 0;
    for (let i = 0; i < name.length; i++) h = mix32(h ^ name.charCodeAt(i));
    return new Prng(h);
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    return mix32(this.state);
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 0x100000000;
  }

  /** Uniform integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** 12 hex digits: an opaque id, unique for all practical purposes. */
  hexId(): string {
    const high = this.nextU32().toString(16).padStart(8, '0');
    const low = (this.nextU32() & 0xffff).toString(16).padStart(4, '0');
    return high + low;
  }
}

function mix32(input: number): number {
  let z = input >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
