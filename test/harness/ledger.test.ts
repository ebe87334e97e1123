import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LedgerViolation, OwnershipLedger, type Place, type ViolationKind,
} from '../../src/harness/ledger.ts';

/** One ledger call, on one of a few elements, by one of a few clients. */
type Call =
  | { k: 'fromBacking' | 'toBacking'; element: number }
  | { k: 'handedOut' | 'returning'; element: number; client: number }
  | { k: 'transfer'; element: number; from: number; to: number };

const element = fc.integer({ min: 1, max: 4 });
const client = fc.integer({ min: 0, max: 2 });
const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ k: fc.constantFrom('fromBacking', 'toBacking'), element }) as fc.Arbitrary<Call>,
  fc.record({ k: fc.constantFrom('handedOut', 'returning'), element, client }) as
    fc.Arbitrary<Call>,
  fc.record({ k: fc.constant('transfer'), element, from: client, to: client }) as
    fc.Arbitrary<Call>,
);

/** What the ledger must do with a call, from a plain map of places. */
function expected(places: Map<number, Place>, c: Call): { next: Place } | { kind: ViolationKind } {
  const place = places.get(c.element) ?? { at: 'unseen' };
  const heldBy = (k: number) => place.at === 'client' && place.client === k;
  switch (c.k) {
    case 'fromBacking':
      return place.at === 'unseen' || place.at === 'backing' ? { next: { at: 'pool' } }
        : { kind: 'handed out by the backing allocator while still in use' };
    case 'toBacking':
      if (place.at === 'pool') return { next: { at: 'backing' } };
      return place.at === 'client'
        ? { kind: 'given back to the backing allocator while a client holds it' }
        : { kind: 'given back to the backing allocator while not the pool\'s' };
    case 'handedOut':
      if (place.at === 'pool') return { next: { at: 'client', client: c.client } };
      return place.at === 'client' ? { kind: 'handed out twice' }
        : { kind: 'handed out while not the pool\'s' };
    case 'returning':
      return heldBy(c.client) ? { next: { at: 'pool' } }
        : { kind: 'freed by a client that does not hold it' };
    case 'transfer':
      return heldBy(c.from) ? { next: { at: 'client', client: c.to } }
        : { kind: 'freed by a client that does not hold it' };
  }
}

function apply(ledger: OwnershipLedger, c: Call): void {
  switch (c.k) {
    case 'fromBacking':
      return ledger.fromBacking(c.element);
    case 'toBacking':
      return ledger.toBacking(c.element);
    case 'handedOut':
      return ledger.handedOut(c.element, c.client);
    case 'returning':
      return ledger.returning(c.element, c.client);
    case 'transfer':
      return ledger.transfer(c.element, c.from, c.to);
  }
}

describe('OwnershipLedger', () => {
  it('moves elements exactly as a plain map of places would, and keeps the first violation', () => {
    fc.assert(fc.property(fc.array(call, { maxLength: 40 }), (calls) => {
      const ledger = OwnershipLedger.create(16);
      const places = new Map<number, Place>();
      let first: ViolationKind | null = null;
      for (const c of calls) {
        const want = expected(places, c);
        if ('next' in want) {
          apply(ledger, c);
          places.set(c.element, want.next);
        } else {
          expect(() => apply(ledger, c)).toThrow(LedgerViolation);
          first ??= want.kind;
        }
        for (const [e, place] of places) expect(ledger.placeOf(e)).toEqual(place);
        const values = [...places.values()];
        expect(ledger.inPool()).toBe(values.filter((p) => p.at === 'pool').length);
        expect(ledger.withClients()).toBe(values.filter((p) => p.at === 'client').length);
      }
      expect(ledger.violation()?.kind ?? null).toBe(first);
    }));
  });

  it('is shared: a ledger attached to the same buffer sees and records the same things', () => {
    const a = OwnershipLedger.create(16);
    const b = OwnershipLedger.attach(a.buffer);
    a.fromBacking(7);
    b.handedOut(7, 1);
    expect(a.placeOf(7)).toEqual({ at: 'client', client: 1 });
    expect(() => a.handedOut(7, 2)).toThrow('element 7 handed out twice: it was held by client 1');
    expect(b.violation()).toEqual({
      kind: 'handed out twice', element: 7, found: { at: 'client', client: 1 }, client: 2,
    });
  });

  it('reports a full table as a violation rather than probing for ever', () => {
    const ledger = OwnershipLedger.create(4);
    for (let e = 1; e <= 8; e++) ledger.fromBacking(e * 1000);
    expect(() => ledger.fromBacking(9000)).toThrow('ledger full');
  });

  it('refuses values that are not element handles', () => {
    const ledger = OwnershipLedger.create(4);
    expect(() => ledger.fromBacking(0)).toThrow('not an element handle');
    expect(() => ledger.fromBacking(1.5)).toThrow('not an element handle');
  });
});
