import fc from 'fast-check';
import type { SpecIR } from '../ir.ts';
import type { ImplementationModule } from '../harness/contract.ts';
import { modelBasedProperty } from '../harness/model/run.ts';
import { ModelMismatch } from '../harness/model/system.ts';
import { skippedByCapabilities, type DriverReport, type Verdict } from './report.ts';

/** What the sequential driver needs. */
export interface SequentialOptions {
  ir: SpecIR;
  implementation: ImplementationModule;
  seed: number;
  runs: number;
  /** fast-check stops generating new runs after this long (ms); shrinking still finishes. */
  budgetMs: number;
  /** A replay token to replay exactly (from a report's replay line): `path@replayPath`. */
  path?: string;
  /** Stop at the first failure, unshrunk. */
  noShrink?: boolean;
  /** Told before every call into the pool, with the commands so far (a heartbeat). */
  onCall?: (log: readonly string[]) => void;
}

/**
 * The sequential, model-based driver: fast-check command sequences on the pool and on the
 * spec's sequential model side by side, every reply and every inspected counter compared,
 * and a failure shrunk to the shortest sequence. The pool runs on this thread; a call that
 * sleeps for ever is the supervisor's to catch (`supervise.ts`).
 */
export function runSequential(o: SequentialOptions): DriverReport {
  const started = performance.now();
  // A replay token is fast-check's path, then `@` and the commands' replayPath.
  const [path, replayPath] = o.path === undefined ? [] : o.path.split('@');
  let detectedMs: number | undefined;
  const property = modelBasedProperty({
    ir: o.ir, implementation: o.implementation, settings: { seed: o.seed, runs: o.runs },
    onCall: o.onCall, replayPath,
    onRunFailed: () => void (detectedMs ??= Math.round(performance.now() - started)),
  });
  const details = fc.check(property, {
    seed: o.seed, numRuns: o.runs, path, endOnFailure: path !== undefined || o.noShrink,
    interruptAfterTimeLimit: o.budgetMs, markInterruptAsFailure: false,
  });
  const ms = Math.round(performance.now() - started);
  const skipped = skippedByCapabilities(o.implementation.capabilities);
  const ran = `${details.numRuns} command sequence(s)` +
    (details.interrupted ? ' (stopped at the time budget)' : '');
  if (!details.failed) return { driver: 'sequential', verdict: 'pass', ran, ms, skipped };

  const error = details.errorInstance;
  if (!(error instanceof ModelMismatch)) throw error ?? new Error('sequential: failed, no error');
  const verdict = verdictOf(error.property, error.expected, error.actual);
  return {
    driver: 'sequential', verdict, ran, ms, detectedMs, skipped,
    failure: {
      verdict,
      property: error.property,
      expected: error.expected,
      actual: error.actual,
      steps: error.commands.map((c, i) => `${String(i + 1).padStart(4)}. ${c}`),
      replay: `--driver sequential --seed ${o.seed} --replay ${details.counterexamplePath}` +
        `@${commandsReplayPath(details.counterexample)}`,
      note: `shrunk ${details.numShrinks} time(s)`,
    },
  };
}

/** The verdict a model mismatch stands for, from the property it names. */
export function verdictOf(property: string, expected = '', actual = ''): Verdict {
  if (property === 'element ownership') return 'ownership';
  // The pool kept more than the model: elements neither in the reserve nor given back.
  if (property.startsWith('elements out of the backing allocator') &&
    Number(actual) > Number(expected)) return 'leak';
  if (property === 'progress') return 'hang';
  if (property === 'no exception') return 'threw';
  if (property.startsWith('invariant')) return 'invariant';
  if (property.includes('ledger')) return 'leak';
  return 'wrong-reply';
}

/** The `replayPath` fast-check prints inside a command list's counterexample. */
function commandsReplayPath(counterexample: unknown): string {
  const commands = Array.isArray(counterexample) ? counterexample[1] : undefined;
  const m = /replayPath="([^"]*)"/.exec(String(commands));
  return m ? m[1] : '';
}

