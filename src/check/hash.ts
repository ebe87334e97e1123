/**
 * The checker's hashing: a two-lane 64-bit hash fed one integer at a time, and a set of such
 * fingerprints in flat typed arrays. States are hashed field by field as they are walked, so
 * no key string is ever built on the hot path (`keys.ts` keeps the readable key that the
 * hash must agree with, for tests and debugging).
 */

/** A running 64-bit hash in two independent 32-bit lanes (murmur3-style mixing). */
export class Hash64 {
  lo = 0;
  hi = 0;

  /** Starts again from the seed. */
  reset(): this {
    this.lo = 0x9747b28c;
    this.hi = 0x85ebca6b;
    return this;
  }

  /** Feeds one 32-bit integer. */
  add(v: number): void {
    let k = Math.imul(v | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h = this.lo ^ k;
    h = (h << 13) | (h >>> 19);
    this.lo = (Math.imul(h, 5) + 0xe6546b64) | 0;
    let j = Math.imul((v | 0) ^ 0x5bd1e995, 0x2545f491);
    j ^= j >>> 15;
    this.hi = (Math.imul(this.hi ^ j, 0x27d4eb2f) + 0x165667b1) | 0;
  }

  /** Feeds another hash's current value. */
  addHash(other: Hash64): void {
    this.add(other.lo);
    this.add(other.hi);
  }

  /** Finishes both lanes (avalanche); the hash can go on being fed afterwards. */
  finish(): void {
    this.lo = fmix(this.lo ^ this.hi);
    this.hi = fmix(this.hi + Math.imul(this.lo, 0x7feb352d));
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * A set of states by fingerprint where a state may stand for others: each entry is a
 * fingerprint and a *cover*, a packed vector of small counters (four bits each), and a state
 * counts as seen when an entry with its fingerprint has every counter at least as large (see
 * `KeyContext.subsumeCalls`). With covers all 0 it is a plain set of fingerprints. Open
 * addressing with linear probing over (lo, hi, cover) triples in one `Int32Array`, grown at
 * half load: about 24 bytes per state, and no boxed numbers. Entries with one fingerprint
 * and covers neither of which is larger sit side by side on the probe path.
 *
 * Like TLC, the search trusts fingerprints: two states with the same 64-bit fingerprint
 * count as one. For n states the chance that any two collide is about n² / 2^65, below one
 * in a million at five million states.
 */
export class CoverSet {
  private table = new Int32Array(3 << 16);
  private mask = (1 << 16) - 1;
  private count = 0;

  /** The number of entries held. */
  get size(): number {
    return this.count;
  }

  /** Adds (lo, hi, cover); returns false when an entry covers it already. */
  add(lo: number, hi: number, cover: number): boolean {
    if (lo === 0 && hi === 0) lo = 1;
    const t = this.table;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const a = t[3 * i];
      const b = t[3 * i + 1];
      if (a === 0 && b === 0) break;
      if (a === lo && b === hi && covers(t[3 * i + 2], cover)) return false;
      i = (i + 1) & this.mask;
    }
    t[3 * i] = lo;
    t[3 * i + 1] = hi;
    t[3 * i + 2] = cover;
    if (++this.count * 2 > this.mask) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 3) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i], old[i + 1], old[i + 2]);
    }
  }

  private insert(lo: number, hi: number, cover: number): void {
    const t = this.table;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    while (t[3 * i] !== 0 || t[3 * i + 1] !== 0) i = (i + 1) & this.mask;
    t[3 * i] = lo;
    t[3 * i + 1] = hi;
    t[3 * i + 2] = cover;
    this.count++;
  }
}

/** Whether every four-bit counter of `a` is at least that of `b`. */
export function covers(a: number, b: number): boolean {
  for (let shift = 0; shift < 32; shift += 4) {
    if (((a >>> shift) & 15) < ((b >>> shift) & 15)) return false;
  }
  return true;
}
