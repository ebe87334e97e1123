import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Run settings of the generated suites: fixed defaults, so a run is deterministic, and
 * environment variables to override them (`MEMPOOL_SPEC_SEED`, `MEMPOOL_SPEC_RUNS`), so a
 * failure found with another seed replays with one command line.
 */

/** The seed every suite uses unless `MEMPOOL_SPEC_SEED` says otherwise. */
export const DEFAULT_SEED = 20120111;

/** Seed and number of runs for one suite. */
export interface RunSettings {
  seed: number;
  runs: number;
}

/**
 * `defaults` with the environment's overrides applied. Throws on a value that is not an
 * integer, rather than silently running with the default.
 */
export function runSettings(
  defaults: RunSettings,
  env: Record<string, string | undefined> = process.env,
): RunSettings {
  return {
    seed: integerFrom(env, 'MEMPOOL_SPEC_SEED', defaults.seed, -0x80000000),
    runs: integerFrom(env, 'MEMPOOL_SPEC_RUNS', defaults.runs, 1),
  };
}

/**
 * The command line that replays a run with these settings; `testFile` is a path or a
 * `file:` URL (a test's `import.meta.url`), shown relative to the working directory.
 */
export function replayHint(settings: RunSettings, testFile: string): string {
  const file = testFile.startsWith('file:')
    ? relative(process.cwd(), fileURLToPath(testFile))
    : testFile;
  return `MEMPOOL_SPEC_SEED=${settings.seed} MEMPOOL_SPEC_RUNS=${settings.runs} ` +
    `npx vitest run ${file}`;
}

function integerFrom(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > 0x7fffffff) {
    throw new Error(`${name}=${raw}: expected an integer from ${min} to ${0x7fffffff}`);
  }
  return value;
}
