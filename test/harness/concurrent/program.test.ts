import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeProgram, workerProgram, type WorkerStep,
} from '../../../src/harness/concurrent/program.ts';

describe('workerProgram', () => {
  it('opens failing windows only to close them, with no waiting alloc inside', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }).chain((workers) =>
      fc.tuple(fc.constant(workers), workerProgram(workers, 30))), ([workers, program]) => {
      let failing = false;
      for (const step of program) {
        if (step.k === 'failing') {
          expect(step.on).toBe(!failing);
          failing = step.on;
        }
        if (failing) expect(step).not.toEqual({ k: 'alloc', wait: true });
        if (step.k === 'send') {
          expect(step.offset).toBeGreaterThanOrEqual(1);
          expect(step.offset).toBeLessThan(workers);
        }
      }
      expect(failing).toBe(false);
    }));
  });

  it('passes elements on only when there is another worker', () => {
    fc.assert(fc.property(workerProgram(1, 30), (program) => {
      expect(program.some((s: WorkerStep) => s.k === 'send' || s.k === 'receive')).toBe(false);
    }));
  });

  it('prints a program one numbered step a line', () => {
    expect(describeProgram([
      { k: 'alloc', wait: true }, { k: 'send', offset: 1, pick: 2 }, { k: 'failing', on: true },
    ])).toBe('  0: alloc(wait)\n  1: send(held[2], +1)\n  2: backing.setFailing(true)');
  });
});
