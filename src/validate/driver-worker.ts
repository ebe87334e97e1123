/**
 * The worker one driver runs in. Everything that calls the user's code runs here or in
 * workers this one starts, never on the command's own thread, so the supervisor can stop a
 * pool that hangs or loops by terminating this worker (its own workers go with it).
 *
 * Heartbeat: `BEAT` is bumped before every call into the pool (sequential driver), after
 * every interleaving (deterministic) or round (concurrent), and every 100 ms while this
 * thread's event loop is free. `WAITING` is 1 while this thread is inside `Atomics.wait`, so
 * a silent worker reads as asleep (`hang`) or computing (`endless-loop`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { UserModule } from '../harness/contract.ts';
import { adapt } from './adapt.ts';
import { runConcurrentDriver } from './concurrent.ts';
import { runDeterministic } from './det/run.ts';
import type { DriverJob } from './drivers.ts';
import type { DriverReport } from './report.ts';
import { runSequential } from './sequential.ts';
import { BEAT, WAITING } from './supervise.ts';

const job = workerData as DriverJob;
const beat = new Int32Array(job.beat);
const bump = () => void Atomics.add(beat, BEAT, 1);

type Wait = (array: Int32Array, index: number, value: number, timeout?: number) =>
  'ok' | 'not-equal' | 'timed-out';
const realWait = Atomics.wait.bind(Atomics) as Wait;
const wait: Wait = (array, index, value, timeout) => {
  Atomics.store(beat, WAITING, 1);
  try {
    return realWait(array, index, value, timeout);
  } finally {
    Atomics.store(beat, WAITING, 0);
  }
};
Atomics.wait = wait as typeof Atomics.wait;

const ticker = setInterval(bump, 100);
try {
  parentPort!.postMessage({ type: 'report', report: await run(job) });
} catch (error) {
  // Not the pool's fault: the drivers turn what the pool does into reports. This is a replay
  // token that does not fit, or a problem of the harness itself.
  const message = error instanceof Error ? error.message : String(error);
  parentPort!.postMessage({ type: 'internal', message,
    stack: error instanceof Error ? error.stack : undefined });
}
clearInterval(ticker);

async function run(j: DriverJob): Promise<DriverReport> {
  const mod = (await import(j.module)) as UserModule;
  switch (j.driver) {
    case 'sequential':
      return runSequential({
        ir: j.ir, implementation: adapt(mod), seed: j.seed, runs: j.runs, budgetMs: j.budgetMs,
        path: j.path, noShrink: j.noShrink,
        onCall: (log) => {
          bump();
          // The supervisor keeps the latest log for a report when this thread must be stopped.
          parentPort!.postMessage({ type: 'at', log: [...log] });
        },
      });
    case 'det':
    case 'det-weak':
      return runDeterministic({
        ir: j.ir, moduleUrl: j.module, wordCount: mod.poolWordCount!,
        capabilities: j.capabilities, seed: j.seed, runs: j.runs, budgetMs: j.budgetMs,
        weak: j.driver === 'det-weak', path: j.path, noShrink: j.noShrink,
        typescript: j.typescript,
        resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
        onProgress: bump,
      });
    case 'concurrent':
      return runConcurrentDriver({
        ir: j.ir, implementation: j.implementation, seed: j.seed, rounds: j.runs, workers: 3,
        typescript: j.typescript, onRound: bump, capabilities: j.capabilities,
        resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
      });
  }
}
