import type { BackingAllocator } from '../src/harness/contract.ts';

/**
 * The always-lock pool the generated one is compared with: the same policy (backing
 * allocator first, then the reserve; a free refills a short reserve) and the same
 * futex-style lock, but alloc and free both take the lock every time and free never tests
 * anything without it. Words: lock, count, min_nr, then the reserve.
 */
export class LockedPool {
  private readonly words: Int32Array;

  constructor(buffer: SharedArrayBuffer, private readonly backing: BackingAllocator) {
    this.words = new Int32Array(buffer);
  }

  /** A pool on a new buffer with `minNr` elements taken from `backing`. */
  static create(minNr: number, backing: BackingAllocator): LockedPool {
    const pool = new LockedPool(new SharedArrayBuffer((3 + minNr) * 4), backing);
    Atomics.store(pool.words, 2, minNr);
    for (let i = 0; i < minNr; i++) pool.words[3 + i] = backing.alloc();
    Atomics.store(pool.words, 1, minNr);
    return pool;
  }

  get buffer(): SharedArrayBuffer {
    return this.words.buffer as SharedArrayBuffer;
  }

  alloc(): number {
    this.lock();
    let element = this.backing.alloc();
    if (element === 0 && this.words[1] > 0) element = this.words[3 + --this.words[1]];
    this.unlock();
    return element;
  }

  free(element: number): void {
    this.lock();
    if (this.words[1] < this.words[2]) this.words[3 + this.words[1]++] = element;
    else this.backing.free(element);
    this.unlock();
  }

  // The generated pool's lock algorithm, so that the comparison is about when to lock.
  private lock(): void {
    let state = Atomics.compareExchange(this.words, 0, 0, 1);
    if (state === 0) return;
    do {
      if (state === 2 || Atomics.compareExchange(this.words, 0, 1, 2) !== 0) {
        Atomics.wait(this.words, 0, 2);
      }
      state = Atomics.compareExchange(this.words, 0, 0, 2);
    } while (state !== 0);
  }

  private unlock(): void {
    if (Atomics.sub(this.words, 0, 1) !== 1) {
      Atomics.store(this.words, 0, 0);
      Atomics.notify(this.words, 0, 1);
    }
  }
}
