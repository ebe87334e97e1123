import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED } from '../../src/harness/settings.ts';
import { loadSpec } from '../../src/spec/load.ts';
import { validate, type DriverName, type ValidationReport } from '../../src/validate/index.ts';

/*
 * Each faulty pool in test/fixtures/pools/ makes one mistake a user might make; validate,
 * with its default seed and budget, rejects it with the verdict the mistake deserves, and the
 * replay options its report prints reproduce the same failure. The correct pool and the
 * generated reference pass the same drivers.
 */
const ir = loadSpec('spec/mempool.mps');
const pool = (name: string) => `test/fixtures/pools/${name}.mjs`;

async function run(module: string, drivers: DriverName[], extra: { replay?: string } = {}):
  Promise<ValidationReport> {
  return validate({ ir, module, seed: DEFAULT_SEED, drivers, ...extra });
}

/** The failing driver's report, with its replay options parsed. */
function failureOf(report: ValidationReport) {
  const d = report.drivers.find((x) => x.failure)!;
  const f = d.failure!;
  const words = f.replay.split(' ');
  const option = (name: string) => words[words.indexOf(name) + 1];
  return { driver: option('--driver') as DriverName, replay: option('--replay'), failure: f };
}

describe('validate on faulty pools', () => {
  it.each([
    ['stale-read', 'det-weak', ['invariant']],
    ['unlock-then-join', 'det', ['lost-wakeup']],
    ['free-no-retest', 'det', ['invariant']],
    ['double-free', 'sequential', ['wrong-reply', 'ownership', 'leak']],
    ['woken-no-retest', 'det', ['ownership', 'invariant', 'wrong-reply']],
    ['resize-race', 'det', ['invariant']],
    ['no-backing-retry', 'det', ['hang']],
    ['wake-before-refill', 'det', ['lost-wakeup']],
  ] as const)('rejects %s with the %s driver, and its replay reproduces it',
    async (name, driver, verdicts) => {
      const report = await run(pool(name), [driver]);
      expect(report.verdict).not.toBe('pass');
      expect(verdicts).toContain(report.verdict);
      const found = failureOf(report);
      expect(found.failure.steps.length).toBeGreaterThan(0);

      const again = await run(pool(name), [found.driver], { replay: found.replay });
      const replayed = failureOf(again);
      expect(replayed.failure.verdict).toBe(found.failure.verdict);
      expect(replayed.failure.property).toBe(found.failure.property);
      expect(replayed.failure.steps).toEqual(found.failure.steps);
    }, 240_000);

  it('passes the same pool without its mistake under the deterministic drivers', async () => {
    const report = await run(pool('correct'), ['sequential', 'det', 'det-weak']);
    expect(report.drivers.map((d) => d.verdict)).toEqual(['pass', 'pass', 'pass']);
  }, 240_000);
});
