import { describe, expect, it } from 'vitest';
import { runModelBased } from '../../../src/harness/model/run.ts';
import { loadSpec } from '../../../src/spec/load.ts';
import * as leaky from '../fixtures/leaky-pool.ts';
import * as lockPool from '../fixtures/lock-pool.ts';
import * as sleepy from '../fixtures/sleepy-pool.ts';

const ir = loadSpec('spec/mempool.mps');
const settings = { seed: 7, runs: 300 };

/** The failure message of a run that must fail. */
function failureOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the run passed');
}

describe('runModelBased', () => {
  it('passes a correct pool and reaches every command and both alloc outcomes', () => {
    const coverage = new Map<string, number>();
    runModelBased({ ir, implementation: lockPool, settings, coverage });
    for (const key of [
      'alloc(nowait) -> element', 'alloc(nowait) -> null', 'alloc(wait) -> element', 'free',
      'free(null)', 'resize', 'backing.setFailing(true)', 'backing.setFailing(false)', 'destroy',
    ]) {
      expect(coverage.get(key) ?? 0, key).toBeGreaterThan(10);
    }
  });

  it('fails a pool that gives reserved elements back, naming property, values and commands', () => {
    const message = failureOf(() => runModelBased({
      ir, implementation: leaky, settings, testFile: 'generated/tests/model.test.ts',
    }));
    expect(message).toMatch(/Counterexample: \[.*\]/);
    expect(message).toMatch(/the model says .+, the implementation .+/);
    expect(message).toMatch(/after: create\(min_nr=\d.*\) -> pool; /);
    expect(message).toContain('Replay: MEMPOOL_SPEC_SEED=7 MEMPOOL_SPEC_RUNS=300 ' +
      'npx vitest run generated/tests/model.test.ts');
  });

  it('stops a waiting alloc that retries where the model returns, as a progress failure', () => {
    const message = failureOf(() => runModelBased({ ir, implementation: sleepy, settings }));
    expect(message).toContain(
      'progress: the model says the call returns (the model does not block)');
    expect(message).toMatch(/Counterexample: \[.*alloc\(wait\)/);
  });
});
