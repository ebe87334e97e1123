import { describe, expect, it } from 'vitest';
import { findLabelled } from '../../src/check/ablate.ts';
import { checkSpec } from '../../src/check/index.ts';
import type { SpecIR, Stmt } from '../../src/ir.ts';
import { loadSpec } from '../../src/spec/load.ts';

const kernel = loadSpec('spec/mempool.mps');
const small = { fix: { min_nr: 1, capacity: 0 }, bounds: { threads: 2, ops: 2 } };

/** A deep copy of the kernel spec with `edit` applied to one operation's body. */
function mutate(op: string, edit: (body: Stmt[]) => void): SpecIR {
  const ir = structuredClone(kernel);
  edit(ir.ops.find((o) => o.name === op)!.body);
  return ir;
}

/** The list and index of the step labelled `label`. */
function at(body: Stmt[], label: string): [Stmt[], number] {
  const found = findLabelled(body, label);
  if (!found) throw new Error(`no step @${label}`);
  return found;
}

describe('check finds seeded mutations of the kernel spec', () => {
  it('a removed smp_wmb after taking from the reserve', () => {
    const ir = mutate('alloc', (body) => {
      const [list, i] = at(body, 'wmb');
      list.splice(i, 1);
    });
    const r = checkSpec(ir, small);
    expect(r.status).toBe('counterexample');
    expect(r.counterexample!.configLabel).toBe('scenario handoff');
  });

  it('a removed re-test of curr_nr under the lock in free', () => {
    const ir = mutate('free', (body) => {
      const [list, i] = at(body, 'lock');
      const retest = list[i + 3] as Extract<Stmt, { k: 'if' }>;
      expect(retest.k).toBe('if');
      retest.cond = { k: 'bool', value: true };
    });
    const r = checkSpec(ir, small);
    expect(r.status).toBe('counterexample');
    expect(['curr_nr_at_most_min_nr', 'scenario shrink_vs_free'])
      .toContain(r.counterexample!.property);
  });

  it('the unlock moved before the enqueue', () => {
    const ir = mutate('alloc', (body) => {
      const [list, i] = at(body, 'join');
      const unlock = list.splice(i + 1, 1)[0];
      expect(unlock.k).toBe('unlock');
      list.splice(i, 0, unlock);
    });
    const r = checkSpec(ir, small);
    expect(r.counterexample?.property).toBe('waiters_woken');
  });

  it('a wake moved before the refill (ahead of the critical section)', () => {
    const ir = mutate('free', (body) => {
      const [list, i] = at(body, 'wake');
      const [wake] = list.splice(i, 1);
      const [outer, lock] = at(body, 'lock');
      outer.splice(lock, 0, wake);
    });
    const r = checkSpec(ir, small);
    expect(r.counterexample?.property).toBe('waiters_woken');
  });

  it('no counterexample when the wake only moves inside the critical section', () => {
    const ir = mutate('free', (body) => {
      const [list, i] = at(body, 'wake');
      const [wake] = list.splice(i, 1);
      const [, refill] = at(body, 'refill');
      list.splice(refill, 0, wake);
    });
    expect(checkSpec(ir, small).status).toBe('holds');
  });
});
