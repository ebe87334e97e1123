import { describe, expect, it } from 'vitest';
import { findLabelled } from '../../src/check/ablate.ts';
import { checkSpec } from '../../src/check/index.ts';
import type { SpecIR } from '../../src/ir.ts';
import { loadSpec } from '../../src/spec/load.ts';

const faithful = loadSpec('spec/mempool.mps');
const fixed = loadSpec('spec/variants/mempool-fixed.mps');
const preFix = loadSpec('spec/variants/mempool-pre-5b990546.mps');

/** The fixed variant with the step labelled `label` taken out (the recheck with its `if`). */
function withoutFix(label: string): SpecIR {
  const ir = structuredClone(fixed);
  const found = ir.ops.map((op) => findLabelled(op.body, label)).find((f) => f !== null);
  if (!found) throw new Error(`no step @${label}`);
  const [list, i] = found;
  list.splice(i, label === 'recheck' ? 2 : 1);
  return ir;
}

describe('check on the kernel and its variants', () => {
  it('reports the dangling waiter the kernel of 5b990546 shares, as a liveness stall', () => {
    const r = checkSpec(faithful);
    expect(r.status).toBe('counterexample');
    const cx = r.counterexample!;
    expect(cx.property).toBe('waiters_woken');
    expect(cx.configLabel).toBe('min_nr=0 threads≤2 ops≤2 capacity=1');
    expect(cx.note).toMatch(/retries when the timeout of pool\.wait fires \(5000 ms\)/);
    // The element that would satisfy the sleeper went back to the backing allocator.
    const events = cx.steps.flatMap((s) => s.events);
    expect(events.some((e) => e.kind === 'backing_free')).toBe(true);
    expect(events.filter((e) => e.kind === 'wake')).toEqual([]);
    expect(events.at(-1)?.kind === 'sleep' || cx.steps.at(-1)?.events.some((e) =>
      e.kind === 'stop' || e.kind === 'sleep')).toBe(true);
  });

  it('finds the same stall with min_nr >= 1: a shrinking resize hands an element back', () => {
    const r = checkSpec(faithful, { only: 'ranges', fix: { min_nr: 2 }, bounds: { threads: 2,
      ops: 2 } });
    expect(r.counterexample?.property).toBe('waiters_woken');
    const frees = r.counterexample!.steps.flatMap((s) => s.events)
      .filter((e) => e.kind === 'backing_free');
    expect(frees.map((e) => e.op)).toContain('resize');
  });

  it('passes the fixed variant exhaustively, every property and scenario included', () => {
    const r = checkSpec(fixed, { bounds: { threads: 2, ops: 2 } });
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
    expect(r.exhaustive).toBe(true);
    expect(r.configs.filter((c) => c.verdict !== 'holds' && c.verdict !== 'create-fails'))
      .toEqual([]);
    expect(r.properties.map((p) => p.name)).toContain('waiters_woken');
  });

  it.each([
    ['recheck', {}],
    ['wake_backing', {}],
    ['shrink_wake', {}],
    ['grow_wake_short', {}],
    ['grow_wake', {}],
    ['grow_wake_raced', { fix: { min_nr: 0, capacity: 2 }, bounds: { threads: 2, ops: 3 } }],
  ])('needs the fix @%s: without it the dangling waiter comes back', (label, opts) => {
    const r = checkSpec(withoutFix(label), { only: 'ranges', bounds: { threads: 2, ops: 2 },
      ...opts });
    expect(r.counterexample?.property).toBe('waiters_woken');
  });

  it('fails the pre-fix variant over its full ranges with the handoff stale read first', () => {
    const r = checkSpec(preFix);
    expect(r.counterexample?.configLabel).toBe('scenario handoff');
    expect(r.counterexample?.property).toBe('reserve_floor');
    const stale = r.counterexample!.steps.flatMap((s) => s.events)
      .find((e) => e.stale && e.read?.var === 'curr_nr');
    expect(stale?.op).toBe('free');
  });
});
