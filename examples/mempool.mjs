// @ts-check
/**
 * A mempool as an outside user of mempool-spec might write it: plain JavaScript, every shared
 * access through the memory interface of `mempool-spec/contract`, so that `mempool-spec
 * validate` can run it on real Atomics (sequential and concurrent drivers) and one access at
 * a time under its own scheduler (deterministic drivers, also in weak-memory mode).
 *
 *   npx mempool-spec validate examples/mempool.mjs
 *
 * It follows mm/mempool.c after kernel commit 5b990546: alloc tries the backing allocator,
 * then the reserve under the lock, and a caller that may wait joins the wait queue before it
 * drops the lock; free tests the reserve without the lock and again under it.
 *
 * Layout, in 32-bit words: the lock, curr_nr, min_nr, the wait queue's sequence number, the
 * number of waiters, the number of reserve slots, then the slots.
 */

/** @typedef {import('mempool-spec/contract').Memory} Memory */
/** @typedef {import('mempool-spec/contract').BackingAllocator} BackingAllocator */
/** @typedef {import('mempool-spec/contract').PoolOptions} PoolOptions */

const W = { lock: 0, currNr: 1, minNr: 2, seq: 3, waiters: 4, slots: 5, first: 6 };
const ENOMEM = -12;

/** Words of memory a pool with `slots` reserve slots needs. @param {number} slots */
export function poolWordCount(slots) {
  return W.first + slots;
}

/** What this pool supports: everything (the defaults, spelled out). */
export const capabilities = { resize: true, blocking: true, shareable: true };

export class MempoolMem {
  /** @param {Memory} mem @param {BackingAllocator} backing @param {number} sleepMs */
  constructor(mem, backing, sleepMs) {
    this.mem = mem;
    this.backing = backing;
    this.sleepMs = sleepMs;
  }

  /** mempool_create(): null when the reserve cannot be filled. @param {Memory} mem @param {PoolOptions} o */
  static create(mem, o) {
    mem.store(W.slots, o.slots ?? Math.max(o.minNr, 16));
    mem.store(W.minNr, o.minNr);
    const pool = new MempoolMem(mem, o.backing, o.sleepTimeoutMs ?? 5000);
    for (let i = 0; i < o.minNr; i++) {
      const element = o.backing.alloc();
      if (element === 0) {
        pool.destroy();
        return null;
      }
      pool.push(element);
    }
    return pool;
  }

  /** Opens a pool another thread created. @param {Memory} mem @param {BackingAllocator} backing */
  static attach(mem, backing, sleepMs = 5000) {
    return new MempoolMem(mem, backing, sleepMs);
  }

  /** @param {boolean} mayWait */
  alloc(mayWait) {
    for (;;) {
      const fresh = this.backing.alloc();
      if (fresh !== 0) return fresh;

      this.lock();
      if (this.mem.load(W.currNr) > 0) {
        const element = this.pop();
        this.unlock();
        return element;
      }
      if (!mayWait) {
        this.unlock();
        return 0;
      }
      // Join the queue while holding the lock: a free that refills after the unlock bumps
      // the sequence number, and the wait below then returns at once.
      const ticket = this.mem.load(W.seq);
      this.mem.add(W.waiters, 1);
      this.unlock();
      this.mem.wait(W.seq, ticket, this.sleepMs);
      this.mem.sub(W.waiters, 1);
    }
  }

  /** @param {number} element */
  free(element) {
    if (element === 0) return;
    // Atomics loads: JavaScript's answer to the kernel's smp_rmb() before this lockless test.
    if (this.mem.load(W.currNr) < this.mem.load(W.minNr)) {
      this.lock();
      if (this.mem.load(W.currNr) < this.mem.load(W.minNr)) {
        this.push(element);
        this.unlock();
        this.mem.add(W.seq, 1);
        this.mem.notify(W.seq);
        return;
      }
      this.unlock();
    }
    this.backing.free(element);
  }

  /** mempool_resize(): 0, or -ENOMEM past the slots. @param {number} newMinNr */
  resize(newMinNr) {
    if (newMinNr < 1 || newMinNr > this.mem.load(W.slots)) return ENOMEM;
    this.lock();
    if (newMinNr <= this.mem.load(W.minNr)) {
      while (this.mem.load(W.currNr) > newMinNr) {
        const surplus = this.pop();
        this.unlock();
        this.backing.free(surplus);
        this.lock();
      }
      this.mem.store(W.minNr, newMinNr);
      this.unlock();
      return 0;
    }
    this.mem.store(W.minNr, newMinNr);
    while (this.mem.load(W.currNr) < this.mem.load(W.minNr)) {
      this.unlock();
      const element = this.backing.alloc();
      if (element === 0) return 0;
      this.lock();
      if (this.mem.load(W.currNr) >= this.mem.load(W.minNr)) {
        // Another resize or a free filled the reserve meanwhile.
        this.unlock();
        this.backing.free(element);
        return 0;
      }
      this.push(element);
    }
    this.unlock();
    return 0;
  }

  destroy() {
    while (this.mem.load(W.currNr) > 0) this.backing.free(this.pop());
  }

  inspect() {
    return {
      currNr: this.mem.load(W.currNr),
      minNr: this.mem.load(W.minNr),
      waiters: this.mem.load(W.waiters),
    };
  }

  lock() {
    while (this.mem.compareExchange(W.lock, 0, 1) !== 0) this.mem.wait(W.lock, 1, Infinity);
  }

  unlock() {
    this.mem.store(W.lock, 0);
    this.mem.notify(W.lock, 1);
  }

  /** Caller holds the lock. @param {number} element */
  push(element) {
    const n = this.mem.load(W.currNr);
    this.mem.set(W.first + n, element);
    this.mem.store(W.currNr, n + 1);
  }

  /** Caller holds the lock and has seen curr_nr > 0. */
  pop() {
    const n = this.mem.load(W.currNr) - 1;
    const element = this.mem.get(W.first + n);
    this.mem.store(W.currNr, n);
    return element;
  }
}
