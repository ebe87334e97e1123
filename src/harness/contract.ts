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
 * which re-exports the reference's.
 */
export interface ImplementationModule {
  Mempool: PoolFactory;
  SharedBacking: SharedBackingFactory;
}

/** The errno `resize` returns when it cannot grow the pool's reserve storage. */
export const ENOMEM = -12;
