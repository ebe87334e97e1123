import { describe, expect, it } from 'vitest';
import { checkSpec, configurations } from '../../src/check/index.ts';
import { loadSpec, parseSpec } from '../../src/spec/load.ts';
import { editSpec, fixedText, knobEdits } from './spec-edit.ts';

const kernel = loadSpec('spec/mempool.mps');
const preFix = loadSpec('spec/variants/mempool-pre-5b990546.mps');

/**
 * Small ranges that the kernel spec passes: its dangling waiter needs min_nr=0 or a resize
 * with min_nr=2 (test/check/variants.test.ts).
 */
const small = { fix: { min_nr: 1, capacity: 0 }, bounds: { threads: 2, ops: 2 } };

describe('check on the kernel specs', () => {
  it('finds every scenario of the kernel spec as its expected outcome says', () => {
    const r = checkSpec(kernel, { only: 'scenarios' });
    expect(r.status).toBe('holds');
    expect(r.exhaustive).toBe(true);
    expect(r.configs.map((c) => c.verdict)).toEqual(r.configs.map(() => 'holds'));
  });

  it('reports an exhaustive pass on the kernel spec within small bounds', () => {
    const r = checkSpec(kernel, small);
    expect(r.status).toBe('holds');
    expect(r.exhaustive).toBe(true);
    expect(r.totals.states).toBeGreaterThan(100);
  });

  it('fails the pre-fix variant with the stale read of curr_nr the commit describes', () => {
    const r = checkSpec(preFix, { only: 'scenarios' });
    expect(r.status).toBe('counterexample');
    const cx = r.counterexample!;
    expect(cx.configLabel).toBe('scenario handoff');
    const reads = cx.steps.flatMap((s) => s.events).filter((e) => e.read?.var === 'curr_nr');
    const stale = reads.find((e) => e.stale);
    expect(stale?.op).toBe('free');
    expect(stale?.read?.value).toBe(1);
    expect(stale?.newest?.value).toBe(0);
    expect(cx.steps.at(-1)!.events.some((e) => e.kind === 'backing_free')).toBe(true);
  });

  it('passes the pre-fix variant under sequential consistency: the bug needs weak memory', () => {
    expect(checkSpec(preFix, { only: 'scenarios', sc: true }).status).toBe('holds');
  });

  it.each(kernel.edges.map((e) => e.name))('needs edge %s: without it, check finds a counterexample',
    (edge) => {
      const started = performance.now();
      const r = checkSpec(kernel, { ...small, without: [edge] });
      expect(r.status).toBe('counterexample');
      expect(r.edges.find((e) => e.name === edge)?.removed).toBe(true);
      expect(performance.now() - started).toBeLessThan(5_000);
    });

  it('finds a lost wake-up without wait_registration as a dangling waiter', () => {
    const r = checkSpec(kernel, { ...small, without: ['wait_registration'] });
    expect(r.counterexample?.property).toBe('waiters_woken');
  });

  it('explores the smallest threads and ops first, then the largest, with every other value',
    () => {
      const configs = configurations(kernel, { only: 'ranges' });
      const params = configs.map((c) => (c.kind === 'ranges' ? c.params : {}));
      expect(params).toHaveLength(18);
      expect(params.slice(0, 9).every((p) => p.threads === 2 && p.ops === 2)).toBe(true);
      expect(params.slice(9).every((p) => p.threads === 3 && p.ops === 3)).toBe(true);
      expect(new Set(params.slice(9).map((p) => `${p.min_nr},${p.capacity}`)).size).toBe(9);
    });
});

describe('the message of a broken invariant', () => {
  const inRanges = { only: 'ranges' as const, fix: { min_nr: 0, capacity: 0 },
    bounds: { threads: 3, ops: 2 } };

  it('names the parameters of an invariant that reads no state, with their values', () => {
    const ir = parseSpec(editSpec(fixedText, knobEdits), 'knob.mps');
    const r = checkSpec(ir, { ...inRanges, fix: { ...inRanges.fix, knob: 1 } });
    expect(r.counterexample?.property).toBe('deep');
    expect(r.counterexample?.configLabel).toBe('min_nr=0 threads≤3 ops≤2 capacity=0 knob=1');
    expect(r.counterexample?.message).toBe('invariant deep does not hold (knob=1, threads=3)');
  });

  it('has no empty parentheses for an invariant over constants alone', () => {
    const ir = parseSpec(editSpec(fixedText, [['\n# ---- happens-before edges',
      '\ninvariant impossible "Broken in every state." : 1 == 0\n\n' +
      '# ---- happens-before edges']]), 'impossible.mps');
    const r = checkSpec(ir, inRanges);
    expect(r.counterexample?.property).toBe('impossible');
    expect(r.counterexample?.message).toBe('invariant impossible does not hold');
  });

  it('still shows the state an invariant reads, beside a parameter', () => {
    const ir = parseSpec(editSpec(fixedText, [...knobEdits, ['  : knob == 0 || threads < 3',
      '  : knob == 0 || curr_nr + allocated >= threads']]), 'knob.mps');
    const r = checkSpec(ir, { ...inRanges, fix: { ...inRanges.fix, knob: 1 } });
    expect(r.counterexample?.message).toMatch(
      /^invariant deep does not hold \(knob=1, curr_nr=0, allocated=0, threads=2\)$/);
  });
});
