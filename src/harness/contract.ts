/**
 * The contract the harness drives: the shape of a pool implementation and of the backing
 * allocator it is given. The generated reference pool (`generated/reference/`) fits it, and
 * so must a user's pool that `mempool-spec validate` checks.
 *
 * Element handles are positive integers; 0 is null. The harness never trusts a handle's
 * meaning: it only tracks who holds which handle (see `ledger.ts`).
 */

/** The counters an implementation reports about itself, compared with the model's. */
export interface Inspection {
  /** Elements in the reserve (`curr_nr`). */
  currNr: number;
  /** The reserve's target size (`min_nr`). */
  minNr: number;
  /** Threads on the wait queue. */
  waiters: number;
}

/** A backing allocator (`alloc_fn`/`free_fn`) as the pool sees it. */
export interface BackingAllocator {
  /** A fresh element, or 0 when the allocator fails. */
  alloc(): number;
  free(element: number): void;
}

/** The backing allocator the harness owns: shared by every worker, told when to fail. */
export interface SharedBackingUnderTest extends BackingAllocator {
  readonly buffer: SharedArrayBuffer;
  setFailing(on: boolean): void;
  /** Elements handed out and not yet given back. */
  inUse(): number;
}

/** How the harness makes and opens shared backing allocators (`SharedBacking`'s statics). */
export interface SharedBackingFactory {
  create(capacity: number): SharedBackingUnderTest;
  attach(buffer: SharedArrayBuffer): SharedBackingUnderTest;
}

/** What `create` is given. */
export interface PoolOptions {
  minNr: number;
  backing: BackingAllocator;
  /** Reserve slots; a resize past them fails with -ENOMEM. */
  slots?: number;
  /** Overrides the spec's sleep timeout (ms). */
  sleepTimeoutMs?: number;
}

/** One pool, as one thread sees it. */
export interface PoolUnderTest {
  readonly buffer: SharedArrayBuffer;
  /** An element, or 0 (only when `mayWait` is false). */
  alloc(mayWait: boolean): number;
  /** Gives an element back; 0 is a no-op. */
  free(element: number): void;
  /** 0, or a negative errno. */
  resize(newMinNr: number): number;
  destroy(): void;
  inspect(): Inspection;
}

/** How the harness makes a pool and opens it in another thread (`Mempool`'s statics). */
export interface PoolFactory {
  /** A new pool, or null when preallocating the reserve failed. */
  create(options: PoolOptions): PoolUnderTest | null;
  attach(buffer: SharedArrayBuffer, backing: BackingAllocator, sleepTimeoutMs?: number):
    PoolUnderTest;
}

/**
 * A module the harness can load in every worker: the pool to test and the shared backing
 * allocator to run it on. The generated suites point at `generated/tests/implementation.ts`,
 * which re-exports the reference's. (`mempool-spec validate` supplies `SharedBacking` itself
 * when a user's module has none: see `UserModule`.)
 */
export interface ImplementationModule {
  Mempool: PoolFactory;
  SharedBacking: SharedBackingFactory;
  /** What the pool does not do; everything is assumed supported when absent. */
  capabilities?: Capabilities;
}

/**
 * What a pool declares it does not support. Each flag defaults to `true`; the harness
 * skips what does not apply and says so in its report.
 */
export interface Capabilities {
  /** `resize` works. `false`: the harness never calls it. */
  resize?: boolean;
  /** `alloc(true)` may sleep until an element comes back. `false`: only `alloc(false)`. */
  blocking?: boolean;
  /**
   * The pool can be `attach`ed from other workers through its `buffer`. `false`: the
   * concurrent drivers are skipped.
   */
  shareable?: boolean;
}

/**
 * The small memory interface a pool may make all its shared accesses through, in the shape
 * of `Atomics` over one array of 32-bit words (the same as `generated/reference/memory.ts`).
 * Over real `Atomics` it is an ordinary pool; under `mempool-spec validate`'s deterministic
 * driver every call is a point where the scheduler picks which thread goes next, and in
 * weak-memory mode a plain `get` may return an older value, as a missing barrier allows.
 */
export interface Memory {
  /** Atomics.load: a sequentially consistent read. */
  load(index: number): number;
  /** Atomics.store: a sequentially consistent write. */
  store(index: number, value: number): void;
  /** Atomics.compareExchange: returns the old value. */
  compareExchange(index: number, expected: number, replacement: number): number;
  /** Atomics.add: returns the old value. */
  add(index: number, delta: number): number;
  /** Atomics.sub: returns the old value. */
  sub(index: number, delta: number): number;
  /** Atomics.wait: sleeps while the word holds `expected`, at most `timeoutMs`. */
  wait(index: number, expected: number, timeoutMs: number): 'ok' | 'not-equal' | 'timed-out';
  /** Atomics.notify: wakes up to `count` sleepers (all when omitted); returns how many. */
  notify(index: number, count?: number): number;
  /** A plain read: no ordering with other threads' accesses. */
  get(index: number): number;
  /** A plain write: no ordering with other threads' accesses. */
  set(index: number, value: number): void;
}

/** A pool over `Memory`: the same methods as `PoolUnderTest`, without the buffer. */
export interface MemoryPoolUnderTest {
  alloc(mayWait: boolean): number;
  free(element: number): void;
  resize(newMinNr: number): number;
  destroy(): void;
  inspect(): Inspection;
}

/** How the harness makes a memory-interface pool and opens it in another thread. */
export interface MemoryPoolFactory {
  /** `memory` holds `poolWordCount(slots)` words, all 0. */
  create(memory: Memory, options: PoolOptions): MemoryPoolUnderTest | null;
  attach(memory: Memory, backing: BackingAllocator, sleepTimeoutMs?: number):
    MemoryPoolUnderTest;
}

/**
 * What `mempool-spec validate MODULE` accepts: a module exporting `Mempool` (a pool on its
 * own SharedArrayBuffer), or `MempoolMem` with `poolWordCount` (a pool over `Memory`), or
 * both. A module with only the memory form is run on real `Atomics` for the sequential and
 * concurrent drivers; only the memory form can be run by the deterministic driver.
 * `SharedBacking` may be left out: the harness brings its own.
 */
export interface UserModule {
  Mempool?: PoolFactory;
  MempoolMem?: MemoryPoolFactory;
  /** Words a memory-interface pool with `slots` reserve slots needs. */
  poolWordCount?: (slots: number) => number;
  SharedBacking?: SharedBackingFactory;
  capabilities?: Capabilities;
}

/** The errno `resize` returns when it cannot grow the pool's reserve storage. */
export const ENOMEM = -12;
