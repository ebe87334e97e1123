import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../harness/spawn.ts';
import type { SpecIR } from '../ir.ts';
import {
  finish, record, searchHere, startCheck, type CheckOptions, type CheckResult,
  type ConfigOutcome,
} from './index.ts';
import { AblationError } from './ablate.ts';
import { CheckSpecError, type CheckSpecPlace } from './program.ts';
import { TokenError, type ConfigRef } from './token.ts';
import { ReplayError } from './trace.ts';

/**
 * `check` on several cores: the configurations are independent searches, so a pool of
 * worker threads takes them in order, one at a time each, and the results are recorded in
 * configuration order as they come, exactly as `checkSpec` records them one after another.
 * The first counterexample in that order ends the check: the workers still searching later
 * configurations are stopped, and what they found is dropped, so the report (states,
 * counterexample, replay token) is the one a single thread gives; only the times differ.
 */

/** What a worker is asked: one configuration of a spec. */
export interface ConfigJob {
  ir: SpecIR;
  opts: Omit<CheckOptions, 'onProgress'>;
  index: number;
  config: ConfigRef;
}

/** What a worker answers. */
export type WorkerMessage =
  | { kind: 'progress'; index: number; line: string }
  | { kind: 'done'; index: number; outcome: ConfigOutcome }
  | { kind: 'failed'; index: number; message: string; name: string; place?: CheckSpecPlace };

const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js',
  import.meta.url);

/** The default number of workers: one per core. */
export function defaultJobs(): number {
  return availableParallelism();
}

/**
 * Checks `original` with up to `jobs` worker threads for the second pass of the ranges. With
 * one job, or where that pass has one configuration, it runs all on this thread, as
 * `checkSpec` does.
 */
export async function checkSpecParallel(original: SpecIR, opts: CheckOptions,
  jobs: number, { inlineFirstPass = true } = {}): Promise<CheckResult> {
  const run = startCheck(original, opts);
  // The scenarios and the first pass of the ranges take a second at most: starting workers
  // would cost more than they save, so they run here, and the pool takes the rest (all of
  // them with `inlineFirstPass: false`, which the tests use to drive the pool).
  const first = inlineFirstPass ? firstLargeConfig(run.configs) : 0;
  if (!searchHere(run, 0, first)) return finish(run);
  const count = Math.min(jobs, run.configs.length - first);
  if (count <= 1) {
    searchHere(run, first, run.configs.length);
    return finish(run);
  }
  let recorded = first;
  const { onProgress, ...plain } = opts;
  // Per configuration index, its outcome, or the error its search threw: both are taken in
  // configuration order, so an error in a later configuration does not hide an earlier
  // counterexample.
  const outcomes = new Map<number, ConfigOutcome | Error>();
  const workers: Worker[] = [];
  let next = first;
  let stopped = false;

  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        stopped = true;
        reject(err);
      };
      const give = (worker: Worker): void => {
        if (stopped || next >= run.configs.length) return;
        const index = next++;
        const job: ConfigJob = { ir: original, opts: plain, index, config: run.configs[index] };
        worker.postMessage(job);
      };
      const flush = (): void => {
        while (!stopped && outcomes.has(recorded)) {
          const outcome = outcomes.get(recorded)!;
          outcomes.delete(recorded);
          if (outcome instanceof Error) return fail(outcome);
          let goOn: boolean;
          try {
            goOn = record(run, run.configs[recorded], outcome);
          } catch (err) {
            return fail(err instanceof Error ? err : new Error(String(err)));
          }
          recorded++;
          if (!goOn || recorded === run.configs.length) {
            stopped = true;
            resolve();
          }
        }
      };
      for (let w = 0; w < count; w++) {
        const worker = spawnWorker(ENTRY, {});
        workers.push(worker);
        worker.on('message', (msg: WorkerMessage) => {
          if (stopped) return;
          if (msg.kind === 'progress') {
            onProgress?.(msg.line);
          } else if (msg.kind === 'failed') {
            outcomes.set(msg.index, rebuild(msg.name, msg.message, msg.place));
            flush();
          } else {
            outcomes.set(msg.index, msg.outcome);
            flush();
            give(worker);
          }
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (!stopped) fail(new Error(`a check worker stopped (exit code ${code})`));
        });
        give(worker);
      }
    });
  } finally {
    stopped = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return finish(run);
}

/**
 * The index of the first configuration of the second pass of the ranges (the largest
 * `threads` and `ops`; see `configurations`), or the number of configurations if there is
 * none.
 */
function firstLargeConfig(configs: readonly ConfigRef[]): number {
  const firstRange = configs.find((c) => c.kind === 'ranges');
  if (firstRange?.kind !== 'ranges') return configs.length;
  const size = (c: ConfigRef): string =>
    (c.kind === 'ranges' ? `${c.params.threads},${c.params.ops}` : '');
  const i = configs.findIndex((c) => c.kind === 'ranges' && size(c) !== size(firstRange));
  return i < 0 ? configs.length : i;
}

/** A worker's error as the class `checkSpec` would have thrown, so callers can tell them apart. */
function rebuild(name: string, message: string, place?: CheckSpecPlace): Error {
  if (name === 'CheckSpecError') return new CheckSpecError(message, place);
  const known: Record<string, new (m: string) => Error> = { AblationError, CheckSpecError,
    TokenError, ReplayError };
  const Known = known[name];
  if (Known) return new Known(message);
  const err = new Error(message);
  err.name = name;
  return err;
}
