import type { BackingAllocator } from './contract.ts';
import type { OwnershipLedger } from './ledger.ts';

/**
 * The backing allocator as the pool under test receives it: the real one, with every
 * hand-over recorded in the ownership ledger. A pool that gives back an element a client
 * still holds is caught here, in the thread that does it.
 */
export class TrackedBacking implements BackingAllocator {
  constructor(
    private readonly inner: BackingAllocator,
    private readonly ledger: OwnershipLedger,
  ) {}

  alloc(): number {
    const element = this.inner.alloc();
    if (element !== 0) this.ledger.fromBacking(element);
    return element;
  }

  free(element: number): void {
    // Recorded before the real free: once given back, another thread may be handed it.
    if (element !== 0) this.ledger.toBacking(element);
    this.inner.free(element);
  }
}
