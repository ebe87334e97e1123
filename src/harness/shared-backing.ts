import type { SharedBackingUnderTest } from './contract.ts';

/**
 * The backing allocator `mempool-spec validate` gives a user's pool when the user's module
 * brings none: at most `capacity` elements out at once, failing while told to, on one
 * SharedArrayBuffer so every worker shares it. Handles are fresh positive integers, never
 * reused, so an element handed out twice is always the pool's doing.
 */
const CAPACITY = 0;
const FAILING = 1;
const IN_USE = 2;
const LAST = 3;
const WORDS = 4;

export class HarnessBacking implements SharedBackingUnderTest {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer);
  }

  static create(capacity: number): HarnessBacking {
    const buffer = new SharedArrayBuffer(WORDS * 4);
    Atomics.store(new Int32Array(buffer), CAPACITY, capacity);
    return new HarnessBacking(buffer);
  }

  static attach(buffer: SharedArrayBuffer): HarnessBacking {
    return new HarnessBacking(buffer);
  }

  alloc(): number {
    if (Atomics.load(this.words, FAILING) !== 0) return 0;
    for (;;) {
      const used = Atomics.load(this.words, IN_USE);
      if (used >= Atomics.load(this.words, CAPACITY)) return 0;
      if (Atomics.compareExchange(this.words, IN_USE, used, used + 1) === used) break;
    }
    return Atomics.add(this.words, LAST, 1) + 1;
  }

  free(element: number): void {
    if (element !== 0) Atomics.sub(this.words, IN_USE, 1);
  }

  setFailing(on: boolean): void {
    Atomics.store(this.words, FAILING, on ? 1 : 0);
  }

  inUse(): number {
    return Atomics.load(this.words, IN_USE);
  }
}
