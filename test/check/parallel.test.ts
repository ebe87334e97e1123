import { describe, expect, it } from 'vitest';
import { checkSpec, CheckSpecError, type CheckResult } from '../../src/check/index.ts';
import { checkSpecParallel } from '../../src/check/parallel.ts';
import { loadSpec } from '../../src/spec/load.ts';

const kernel = loadSpec('spec/mempool.mps');
const fixed = loadSpec('spec/variants/mempool-fixed.mps');

/** A result without its times, which are all that may differ between the two runners. */
function timeless(r: CheckResult): unknown {
  return { ...r, configs: r.configs.map(({ seconds: _, ...c }) => c),
    totals: { ...r.totals, seconds: 0, statesPerSecond: 0 } };
}

describe('check on several workers', () => {
  it('reports what one thread reports, for a spec that holds', async () => {
    const opts = { bounds: { threads: 2, ops: 2 } };
    const one = checkSpec(fixed, opts);
    const two = await checkSpecParallel(fixed, opts, 2, { inlineFirstPass: false });
    expect(one.status).toBe('holds');
    expect(one.configs.length).toBeGreaterThan(9);
    expect(timeless(two)).toEqual(timeless(one));
  }, 60_000);

  it('stops at the first counterexample in configuration order, with the same trace', async () => {
    for (const opts of [{ bounds: { threads: 2, ops: 2 } },
      { bounds: { threads: 2, ops: 2 }, without: ['reserve_handoff'] }]) {
      const one = checkSpec(kernel, opts);
      const two = await checkSpecParallel(kernel, opts, 2, { inlineFirstPass: false });
      expect(one.status).toBe('counterexample');
      expect(two.counterexample?.token).toBe(one.counterexample?.token);
      expect(timeless(two)).toEqual(timeless(one));
    }
  }, 60_000);

  it('runs the first pass here and the second on the workers, with the same report', async () => {
    const opts = { bounds: { threads: 3, ops: 2 }, fix: { min_nr: 1 } };
    const one = checkSpec(fixed, opts);
    const two = await checkSpecParallel(fixed, opts, 2);
    expect(one.status).toBe('holds');
    expect(one.configs.map((c) => c.label)).toContain('min_nr=1 threads≤3 ops≤2 capacity=2');
    expect(timeless(two)).toEqual(timeless(one));
    // A state limit the second pass reaches: each configuration's failure, in order.
    const limited = { ...opts, stateLimit: 5000 };
    const a = checkSpec(fixed, limited);
    const b = await checkSpecParallel(fixed, limited, 2);
    expect(a.status).toBe('incomplete');
    expect(b.failures).toEqual(a.failures);
    expect(timeless(b)).toEqual(timeless(a));
  }, 120_000);

  it('throws the error class one thread throws', async () => {
    const broken = structuredClone(fixed);
    broken.scenarios[0].threads[0].body = [{ ...broken.scenarios[0].threads[0].body[0],
      k: 'call', op: 'no_such_op', args: [] } as never];
    expect(() => checkSpec(broken, { only: 'scenarios' })).toThrow(CheckSpecError);
    await expect(checkSpecParallel(broken, { only: 'scenarios' }, 2, { inlineFirstPass: false }))
      .rejects.toBeInstanceOf(CheckSpecError);
  }, 60_000);
});
