import { describe, expect, it } from 'vitest';
import { FingerprintSet, Hash64 } from '../../src/check/hash.ts';
import { stateHash, stateKey } from '../../src/check/keys.ts';
import { Machine } from '../../src/check/machine.ts';
import { compileOps } from '../../src/check/program.ts';
import type { State } from '../../src/check/state.ts';
import { loadSpec } from '../../src/spec/load.ts';

const ir = loadSpec('spec/mempool.mps');

/** Every state of a small configuration, deduplicated by the readable key. */
function statesOf(params: Record<string, number>): { machine: Machine; states: State[] } {
  const machine = new Machine(ir, compileOps(ir), params, { kind: 'ranges',
    threads: params.threads, ops: params.ops, intRange: [1, 2] }, { sc: false });
  const byKey = new Map<string, State>();
  let frontier = [machine.initial()!];
  byKey.set(stateKey(frontier[0], machine.keyContext), frontier[0]);
  while (frontier.length > 0) {
    const next: State[] = [];
    for (const s of frontier) {
      for (const { state } of machine.expand(s, false).successors) {
        const key = stateKey(state, machine.keyContext);
        if (state.violation || byKey.has(key)) continue;
        byKey.set(key, state);
        next.push(state);
      }
    }
    frontier = next;
  }
  return { machine, states: [...byKey.values()] };
}

describe('state fingerprints', () => {
  it.each([
    [{ min_nr: 1, capacity: 1, threads: 2, ops: 2 }],
    [{ min_nr: 2, capacity: 0, threads: 2, ops: 2 }],
  ])('tell apart exactly the states the readable key tells apart (%j)', (params) => {
    const { machine, states } = statesOf(params);
    const h = new Hash64();
    const set = new FingerprintSet();
    for (const s of states) {
      stateHash(s, machine.keyContext, h);
      set.add(h.lo, h.hi);
    }
    expect(states.length).toBeGreaterThan(500);
    expect(set.size).toBe(states.length);
  });

  it('give a state and its copy with the threads swapped one fingerprint', () => {
    const { machine, states } = statesOf({ min_nr: 1, capacity: 1, threads: 2, ops: 2 });
    const h = new Hash64();
    let compared = 0;
    for (const s of states) {
      // Swapping threads is a symmetry only when no lock or view names a thread index.
      if (s.mem.locks.some((l) => l.holder !== null)) continue;
      const swapped: State = { ...s, threads: [s.threads[1], s.threads[0]],
        mem: { ...s.mem, threads: [s.mem.threads[1], s.mem.threads[0]] } };
      stateHash(s, machine.keyContext, h);
      const a = [h.lo, h.hi];
      stateHash(swapped, machine.keyContext, h);
      expect([h.lo, h.hi]).toEqual(a);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('keep every fingerprint added, through the growth of the table', () => {
    const set = new FingerprintSet();
    let fresh = 0;
    for (let i = 0; i < 100_000; i++) if (set.add(i * 7919, i ^ 0x5bd1e995)) fresh++;
    let again = 0;
    for (let i = 0; i < 100_000; i += 997) if (set.add(i * 7919, i ^ 0x5bd1e995)) again++;
    expect([fresh, again, set.size]).toEqual([100_000, 0, 100_000]);
  });
});
