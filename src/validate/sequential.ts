import fc from 'fast-check';
import type { SpecIR } from '../ir.ts';
import type { ImplementationModule } from '../harness/contract.ts';
import { modelBasedProperty } from '../harness/model/run.ts';
import { ModelMismatch } from '../harness/model/system.ts';
import type { DriverReport, Verdict } from './report.ts';

/** What the sequential driver needs. */
export interface SequentialOptions {
  ir: SpecIR;
  implementation: ImplementationModule;
  seed: number;
  runs: number;
  /** fast-check stops generating new runs after this long (ms); shrinking still finishes. */
  budgetMs: number;
  /** A counterexample path to replay exactly (from a report's replay line). */
  path?: string;
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
  const property = modelBasedProperty({
    ir: o.ir, implementation: o.implementation, settings: { seed: o.seed, runs: o.runs },
    onCall: o.onCall,
  });
  const details = fc.check(property, {
    seed: o.seed, numRuns: o.runs, path: o.path, endOnFailure: o.path !== undefined,
    interruptAfterTimeLimit: o.budgetMs, markInterruptAsFailure: false,
  });
  const ms = Math.round(performance.now() - started);
  const skipped = skippedCommands(o.implementation);
  const ran = `${details.numRuns} command sequence(s)` +
    (details.interrupted ? ' (stopped at the time budget)' : '');
  if (!details.failed) return { driver: 'sequential', verdict: 'pass', ran, ms, skipped };

  const error = details.errorInstance;
  if (!(error instanceof ModelMismatch)) throw error ?? new Error('sequential: failed, no error');
  const verdict = verdictOf(error.property);
  return {
    driver: 'sequential', verdict, ran, ms, skipped,
    failure: {
      verdict,
      property: error.property,
      expected: error.expected,
      actual: error.actual,
      steps: error.commands.map((c, i) => `${String(i + 1).padStart(4)}. ${c}`),
      replay: `--driver sequential --seed ${o.seed} --replay ${details.counterexamplePath}`,
      note: `shrunk ${details.numShrinks} time(s)`,
    },
  };
}

/** The verdict a model mismatch stands for, from the property it names. */
export function verdictOf(property: string): Verdict {
  if (property === 'element ownership') return 'ownership';
  if (property === 'progress') return 'hang';
  if (property === 'no exception') return 'threw';
  if (property.startsWith('invariant')) return 'invariant';
  if (property.includes('ledger')) return 'leak';
  return 'wrong-reply';
}

function skippedCommands(impl: ImplementationModule): string[] {
  const out: string[] = [];
  if (impl.capabilities?.resize === false) out.push('resize (the module declares resize: false)');
  if (impl.capabilities?.blocking === false) {
    out.push('alloc(wait) (the module declares blocking: false)');
  }
  return out;
}
