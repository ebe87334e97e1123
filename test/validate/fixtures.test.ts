import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED } from '../../src/harness/settings.ts';
import { loadSpec } from '../../src/spec/load.ts';
import { validate, type DriverName, type ValidationReport } from '../../src/validate/index.ts';

/*
 * Each faulty pool in test/fixtures/pools/ makes one mistake a user might make; validate,
 * with its default seed and drivers, rejects it with the verdict the mistake deserves, and the
 * replay options its report prints reproduce the same failure. The correct pool passes.
 *
 * The time budget is set out of reach and shrinking off, so every driver runs its default
 * number of runs whatever the machine's load: a time budget would make what is found depend
 * on how busy the test machine is (`bench/validate.ts` measures the default budget instead).
 * Shrinking is tested where it is cheap: the sequential driver, in cli.test.ts.
 */
const ir = loadSpec('spec/mempool.mps');
const pool = (name: string) => `test/fixtures/pools/${name}.mjs`;

async function run(module: string, drivers?: DriverName[], extra: { replay?: string } = {}):
  Promise<ValidationReport> {
  return validate({ ir, module, seed: DEFAULT_SEED, drivers, budgetMs: 10_000_000,
    noShrink: true, ...extra });
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
    ['stale-read', ['invariant']],
    ['unlock-then-join', ['lost-wakeup']],
    ['free-no-retest', ['invariant', 'lost-wakeup']],
    ['double-free', ['wrong-reply', 'ownership', 'leak', 'invariant']],
    ['woken-no-retest', ['ownership', 'invariant', 'wrong-reply']],
    ['resize-race', ['invariant']],
    ['no-backing-retry', ['hang']],
    ['wake-before-refill', ['lost-wakeup']],
  ] as const)('rejects %s with the default drivers, and its replay reproduces it',
    async (name, verdicts) => {
      const report = await run(pool(name));
      expect(verdicts).toContain(report.verdict);
      const found = failureOf(report);
      expect(found.failure.steps.length).toBeGreaterThan(0);

      const again = await run(pool(name), [found.driver], { replay: found.replay });
      const replayed = failureOf(again);
      expect(replayed.failure.verdict).toBe(found.failure.verdict);
      expect(replayed.failure.property).toBe(found.failure.property);
      expect(replayed.failure.steps).toEqual(found.failure.steps);
    }, 240_000);

  it('passes the same pool without its mistake', async () => {
    const report = await validate({ ir, module: pool('correct'), seed: DEFAULT_SEED });
    expect(report.drivers.map((d) => [d.driver, d.verdict])).toEqual([
      ['sequential', 'pass'], ['deterministic (weak memory)', 'pass'],
      ['deterministic', 'pass'], ['concurrent', 'pass'],
    ]);
  }, 240_000);
});
