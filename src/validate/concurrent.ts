import type { ResourceLimits } from 'node:worker_threads';
import type { SpecIR } from '../ir.ts';
import { describeProgram } from '../harness/concurrent/program.ts';
import {
  generateRounds, runConcurrent, type ConcurrentResult,
} from '../harness/concurrent/run.ts';
import type { Capabilities } from '../harness/contract.ts';
import { skippedByCapabilities, type DriverReport, type Failure } from './report.ts';

/** What the concurrent driver needs. */
export interface ConcurrentDriverOptions {
  ir: SpecIR;
  /** URL of a module in `ImplementationModule` form (`implementation.ts?module=...`). */
  implementation: string;
  seed: number;
  rounds: number;
  workers: number;
  typescript: boolean;
  capabilities: Required<Capabilities>;
  resourceLimits?: ResourceLimits;
  onRound?: (round: number) => void;
}

/**
 * The concurrent, black-box driver: real workers run generated programs on one shared pool,
 * element ownership tracked by the harness's ledger, the end of every round judged, a stalled
 * worker caught by the watchdog. The seed fixes the programs, not the interleaving, so its
 * replay line reruns the same programs and may need a few tries to hit the same race.
 */
export async function runConcurrentDriver(o: ConcurrentDriverOptions): Promise<DriverReport> {
  const started = performance.now();
  const settings = { seed: o.seed, runs: o.rounds };
  const steps = 24;
  // A pool that cannot block gets alloc(nowait) where the programs would wait.
  const rounds = generateRounds(o.ir, settings, o.workers, steps).map((round) =>
    o.capabilities.blocking ? round : { ...round, programs: round.programs.map((p) =>
      p.map((step) => (step.k === 'alloc' ? { k: 'alloc' as const, wait: false } : step))) });
  const result = await runConcurrent({
    ir: o.ir, implementation: o.implementation, settings, workers: o.workers, steps, rounds,
    resourceLimits: o.resourceLimits, typescript: o.typescript, onRound: o.onRound,
  });
  const ms = Math.round(performance.now() - started);
  const driver = 'concurrent';
  if (result.verdict === 'pass') {
    const skipped = skippedByCapabilities({ blocking: o.capabilities.blocking });
    return { driver, verdict: 'pass', ms, skipped,
      ran: `${result.rounds} round(s) of ${o.workers} workers, ${result.stats.allocs} allocs, ` +
        `${result.stats.frees} frees, ${result.stats.sent} hand-overs` };
  }
  const failure = failureOf(result, o);
  return { driver, verdict: failure.verdict, ms, skipped: [], failure,
    ran: `${result.round + 1} round(s) of ${o.workers} workers` };
}

function failureOf(result: Exclude<ConcurrentResult, { verdict: 'pass' }>,
  o: ConcurrentDriverOptions): Failure {
  const steps: string[] = [];
  if (result.programs) {
    steps.push(`round ${result.round}: min_nr ${result.programs.minNr}, ` +
      `${result.programs.perWorker} element(s) per worker at most; each worker repeats its ` +
      'program for the round');
    result.programs.programs.forEach((p, k) => {
      steps.push(`worker ${k}:`, ...describeProgram(p).split('\n').map((l) => `  ${l}`));
    });
  }
  const replay = `--driver concurrent --seed ${o.seed} --runs ${result.round + 1}`;
  const note = 'the seed fixes the programs, not how the workers interleave: the replay runs ' +
    'the same programs and may need more than one try';
  if (result.verdict === 'hang') {
    return { verdict: 'hang', property: 'every worker makes progress',
      expected: `a heartbeat at least every ${result.silentMs} ms`,
      actual: `worker ${result.worker} was silent for ${result.silentMs} ms in ${result.step}; ` +
        'every worker was terminated', steps, replay, note };
  }
  return { verdict: result.kind, property: propertyOf(result.kind), expected: 'it holds',
    actual: result.reason, steps, replay, note };
}

function propertyOf(kind: string): string {
  switch (kind) {
    case 'ownership': return 'every element has one owner';
    case 'leak': return 'nothing lost';
    case 'invariant': return 'the invariants hold at the end of the round';
    case 'threw': return 'no call throws';
    case 'crashed': return 'the workers stay alive';
    default: return 'the counters are consistent';
  }
}
