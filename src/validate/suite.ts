import type { SpecIR } from '../ir.ts';
import { DEFAULT_SEED, runSettings } from '../harness/settings.ts';
import type { DriverName } from './drivers.ts';
import { formatReport, validate } from './index.ts';

/**
 * What the suites `mempool-spec gen --impl MODULE` writes call: one driver of `validate` on
 * the user's module, failing with exactly the report `mempool-spec validate` prints.
 */

/** The seed and (if set) the runs of a generated suite: `MEMPOOL_SPEC_SEED`, `MEMPOOL_SPEC_RUNS`. */
export function suiteSettings(env: Record<string, string | undefined> = process.env):
  { seed: number; runs?: number } {
  const settings = runSettings({ seed: DEFAULT_SEED, runs: 1 }, env);
  return { seed: settings.seed, runs: env.MEMPOOL_SPEC_RUNS ? settings.runs : undefined };
}

/** The outcome of one driver: `skipped` with the reason, or a pass. Throws on a failure. */
export async function assertDriverPasses(o: {
  ir: SpecIR;
  /** The user's module: an absolute path, or one relative to the working directory. */
  module: string;
  driver: DriverName;
  seed: number;
  runs?: number;
  budgetMs?: number;
}): Promise<{ skipped: string | null }> {
  const report = await validate({ ir: o.ir, module: o.module, seed: o.seed, runs: o.runs,
    drivers: [o.driver], budgetMs: o.budgetMs });
  const [d] = report.drivers;
  if (d.verdict === 'skipped') return { skipped: d.skipped.join('; ') };
  if (d.verdict !== 'pass') throw new Error(formatReport(report));
  return { skipped: null };
}
