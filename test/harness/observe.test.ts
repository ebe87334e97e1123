import { describe, expect, it } from 'vitest';
import { observedInvariants } from '../../src/harness/observe.ts';
import { loadSpec } from '../../src/spec/load.ts';

const ir = loadSpec('spec/mempool.mps');
const params = { min_nr: 2, threads: 2, ops: 2, capacity: 6 };
const verdicts = (list: { name: string; verdict: string }[]) =>
  Object.fromEntries(list.map((i) => [i.name, i.verdict]));

describe('observedInvariants', () => {
  it('judges every invariant after alloc and free, taking floor from create', () => {
    const at = (currNr: number, held: number) => verdicts(observedInvariants(ir, params,
      ['alloc', 'free'], { inspection: { currNr, minNr: 2, waiters: 0 }, heldByClients: held }));
    expect(at(2, 0)).toEqual({
      reserve_floor: 'holds', curr_nr_nonnegative: 'holds', curr_nr_at_most_min_nr: 'holds',
      floor_at_most_min_nr: 'holds',
    });
    // An element lost: neither in the reserve nor with a client, while min_nr is 2.
    expect(at(1, 0).reserve_floor).toBe('broken');
    expect(at(1, 1).reserve_floor).toBe('holds');
    expect(at(3, 0).curr_nr_at_most_min_nr).toBe('broken');
  });

  it('skips what a resize makes unobservable, and says which names', () => {
    const list = observedInvariants(ir, params, ['alloc', 'free', 'resize'],
      { inspection: { currNr: 2, minNr: 2, waiters: 0 }, heldByClients: 0 });
    expect(list.find((i) => i.name === 'reserve_floor')).toEqual({
      name: 'reserve_floor', verdict: 'skipped', unknown: ['floor'],
    });
    expect(verdicts(list).curr_nr_at_most_min_nr).toBe('holds');
  });
});
