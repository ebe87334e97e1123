import { describe, expect, it } from 'vitest';
import {
  AllocCommand, BackingFailingCommand, FreeCommand, ResizeCommand,
} from '../../../src/harness/model/commands.ts';
import { bindOps, ModelMismatch, setup } from '../../../src/harness/model/system.ts';
import { loadSpec } from '../../../src/spec/load.ts';
import * as lockPool from '../fixtures/lock-pool.ts';

const ir = loadSpec('spec/mempool.mps');

function fresh(minNr: number, capacity: number) {
  const params = { min_nr: minNr, threads: 2, ops: 2, capacity };
  return setup({
    ir, ops: bindOps(ir), implementation: lockPool, params, slots: 4, sleepTimeoutMs: 1,
    callBudget: 50,
  });
}

describe('model-based commands', () => {
  it('run a waiting alloc only where the model says it returns', () => {
    const { model, real } = fresh(1, 1);
    const wait = new AllocCommand(true);
    expect(wait.check(model)).toBe(true);
    new BackingFailingCommand(true).run(model, real);
    new AllocCommand(false).run(model, real);
    // Reserve empty, backing allocator failing: run alone, a waiting alloc sleeps for ever.
    expect(wait.check(model)).toBe(false);
    expect(new AllocCommand(false).check(model)).toBe(true);
    new FreeCommand(0).run(model, real);
    expect(wait.check(model)).toBe(true);
  });

  it('keep resizes within the slots and at least 1', () => {
    const { model } = fresh(1, 1);
    expect(new ResizeCommand(0).check(model)).toBe(false);
    expect(new ResizeCommand(1).check(model)).toBe(true);
    expect(new ResizeCommand(4).check(model)).toBe(true);
    expect(new ResizeCommand(5).check(model)).toBe(false);
  });

  it('free only what the harness holds, matched to the model by position', () => {
    const { model, real } = fresh(0, 2);
    expect(new FreeCommand(0).check(model)).toBe(false);
    new AllocCommand(false).run(model, real);
    new AllocCommand(false).run(model, real);
    expect(real.held).toHaveLength(2);
    new FreeCommand(3).run(model, real);
    expect(model.held).toHaveLength(1);
    expect(real.held).toHaveLength(1);
    expect(model.log.at(-1)).toMatch(/^free\(element \d+\)$/);
  });

  it('print as readable calls in counterexamples', () => {
    expect([new AllocCommand(true), new AllocCommand(false), new FreeCommand(2),
      new ResizeCommand(3), new BackingFailingCommand(false)].map(String))
      .toEqual(['alloc(wait)', 'alloc(nowait)', 'free(held[2])', 'resize(3)',
        'backing.setFailing(false)']);
  });

  it('show the reply the pool gave: a create that returns null, an alloc that returns a Promise',
    () => {
      const params = { min_nr: 1, threads: 2, ops: 2, capacity: 0 };
      const nullCreate = { ...lockPool, Mempool: { ...lockPool.Mempool, create: () => null } };
      const caught = (run: () => unknown): ModelMismatch => {
        try {
          run();
        } catch (err) {
          if (err instanceof ModelMismatch) return err;
          throw err;
        }
        throw new Error('no mismatch');
      };
      const created = caught(() => setup({ ir, ops: bindOps(ir), params, slots: 4,
        sleepTimeoutMs: 1, callBudget: 50,
        implementation: nullCreate as unknown as typeof lockPool }));
      expect(created.commands[0]).toMatch(/^create\(.*\) -> null$/);
      expect(created.actual).toBe('null');

      const { model, real } = fresh(1, 0);
      const pool = real.pool!;
      real.pool = Object.assign(Object.create(pool), { alloc: async () => 1 });
      const asyncAlloc = caught(() => new AllocCommand(false).run(model, real));
      expect(asyncAlloc.actual).toMatch(/^a Promise \(the method is async/);
      expect(model.log.at(-1)).toMatch(/^alloc\(nowait\) -> a Promise /);
    });
});
