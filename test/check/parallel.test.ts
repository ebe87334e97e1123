import { describe, expect, it } from 'vitest';
import {
  checkSpec, CheckSpecError, configLabel, configurations, type CheckResult,
} from '../../src/check/index.ts';
import { checkSpecParallel } from '../../src/check/parallel.ts';
import { loadSpec, parseSpec } from '../../src/spec/load.ts';
import { editSpec, fixedText, knobEdits } from './spec-edit.ts';

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

  it('lets a counterexample win over an error in a later configuration', async () => {
    // The fixed variant with `deep` (broken at threads 3 with knob=1) and an endless local
    // loop in alloc where threads > 2 and capacity == 1. The second pass runs in this order:
    // capacity=0 knob=0 (a search of about 29,000 states), capacity=0 knob=1 (the
    // counterexample, in the initial state), capacity=1 knob=0 (the loop error, once a first
    // alloc has called the backing allocator: in the search, after its progress line), ...
    // One thread stops at the counterexample and never reaches the error. On two workers the
    // second one finds the counterexample and then the error while the first is still
    // searching capacity=0 knob=0: the error must wait, and lose to the counterexample.
    const first = '    # element = pool->alloc(gfp_temp, pool->pool_data);\n    e = alloc_fn()\n';
    const ir = parseSpec(editSpec(fixedText, [...knobEdits, [first, `${first}` +
      '    if threads > 2 && capacity == 1 {\n      spin = 0\n' +
      '      loop {\n        spin = spin + 1\n      }\n    }\n']]), 'knob-loop.mps');
    const opts = { only: 'ranges' as const, fix: { min_nr: 2 }, bounds: { threads: 3, ops: 2 } };
    const labels = configurations(ir, opts).map(configLabel);
    const cx = labels.indexOf('min_nr=2 threads≤3 ops≤2 capacity=0 knob=1');
    const loop = labels.indexOf('min_nr=2 threads≤3 ops≤2 capacity=1 knob=0');
    expect(cx).toBeGreaterThan(0);
    expect(loop).toBe(cx + 1);
    expect(() => checkSpec(ir, { ...opts, fix: { min_nr: 2, capacity: 1, knob: 0 } }))
      .toThrow(/^alloc: this loop never ends: 10000 steps without a shared access$/);

    const one = checkSpec(ir, opts);
    expect(one.status).toBe('counterexample');
    expect(one.counterexample?.property).toBe('deep');
    expect(one.counterexample?.configLabel).toBe(labels[cx]);
    const started: string[] = [];
    const two = await checkSpecParallel(ir, { ...opts, onProgress: (line) => {
      if (line.startsWith('checking ')) started.push(line.slice('checking '.length));
    } }, 2);
    // A worker did start the configuration with the loop (else this test shows nothing).
    expect(started).toContain(labels[loop]);
    expect(timeless(two)).toEqual(timeless(one));
  }, 60_000);

  it('keeps the place in the spec of an endless loop that a worker runs into', async () => {
    const first = '    # element = pool->alloc(gfp_temp, pool->pool_data);\n    e = alloc_fn()\n';
    const text = editSpec(fixedText, [[first, `${first}    if threads > 2 {\n      spin = 0\n` +
      '      loop {\n        spin = spin + 1\n      }\n    }\n']]);
    const line = text.split('\n').indexOf('      loop {') + 1;
    const ir = parseSpec(text, 'loop.mps');
    // Both passes go to the two workers; the one with three threads meets the loop.
    const opts = { only: 'ranges' as const, fix: { min_nr: 2, capacity: 1 },
      bounds: { threads: 3, ops: 2 } };
    const err = await checkSpecParallel(ir, opts, 2, { inlineFirstPass: false })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CheckSpecError);
    expect((err as CheckSpecError).message)
      .toBe('alloc: this loop never ends: 10000 steps without a shared access');
    expect((err as CheckSpecError).place).toMatchObject({ code: 'endless-local-loop',
      loc: { line, col: 7 } });
    // As on this thread.
    expect(() => checkSpec(ir, opts)).toThrow(expect.objectContaining({
      place: expect.objectContaining({ loc: { line, col: 7 } }) }));
  }, 60_000);

  it('throws the error class one thread throws', async () => {
    const broken = structuredClone(fixed);
    broken.scenarios[0].threads[0].body = [{ ...broken.scenarios[0].threads[0].body[0],
      k: 'call', op: 'no_such_op', args: [] } as never];
    expect(() => checkSpec(broken, { only: 'scenarios' })).toThrow(CheckSpecError);
    await expect(checkSpecParallel(broken, { only: 'scenarios' }, 2, { inlineFirstPass: false }))
      .rejects.toBeInstanceOf(CheckSpecError);
  }, 60_000);
});
