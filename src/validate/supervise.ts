import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../harness/spawn.ts';
import { DRIVER_TITLES, type DriverJob } from './drivers.ts';
import type { DriverReport, Verdict } from './report.ts';

/** Heartbeat words shared with a driver worker (see `driver-worker.ts`). */
export const BEAT = 0;
export const WAITING = 1;
export const BEAT_WORDS = 2;

/** Heap limits of a driver worker: a pool that allocates without end is stopped there. */
export const DRIVER_LIMITS = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 };

const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './driver-worker.ts'
  : './driver-worker.js', import.meta.url);

/**
 * A driver could not run for a reason that is not the pool's: a `--replay` token that does
 * not fit the driver and seed, or a fault of the harness. `validate` exits 2 on it.
 */
export class DriverError extends Error {
  constructor(readonly driver: string, message: string, readonly replaying: boolean,
    readonly innerStack?: string) {
    super(`the ${driver} driver could not run: ${message}`);
    this.name = 'DriverError';
  }
}

/** How long a driver may go without a heartbeat, and in all, before it is stopped. */
export interface SuperviseOptions {
  stallMs: number;
  /** The driver's whole time: its own budget plus time to shrink and to shut down. */
  deadlineMs: number;
}

/**
 * Runs one driver in its own worker and returns its report. Never hangs and never throws for
 * the pool's fault: a worker that stops beating for `stallMs`, or is still running at
 * `deadlineMs`, is terminated (with every worker it started) and its report says `hang` or
 * `endless-loop`, with the commands it was running; a worker that dies is `crashed`.
 */
export async function supervise(job: Omit<DriverJob, 'beat'>, o: SuperviseOptions):
  Promise<DriverReport> {
  const beat = new Int32Array(new SharedArrayBuffer(BEAT_WORDS * 4));
  const started = performance.now();
  const worker = spawnWorker(ENTRY, { ...job, beat: beat.buffer }, DRIVER_LIMITS, job.typescript);
  let lastLog: string[] = [];
  let settle!: (r: DriverReport) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<DriverReport>((resolve, fail) => {
    settle = resolve;
    reject = fail;
  });
  const stopped = (verdict: Verdict, property: string, expected: string, actual: string) =>
    settle(stoppedReport(job, performance.now() - started, lastLog,
      { verdict, property, expected, actual }));

  worker.on('message', (m: { type: string; log?: string[]; report?: DriverReport;
    message?: string; stack?: string }) => {
    if (m.type === 'at') lastLog = m.log!;
    if (m.type === 'report') settle(m.report!);
    if (m.type === 'internal') {
      reject(new DriverError(job.driver, m.message!, job.path !== undefined, m.stack));
    }
  });
  worker.on('error', (e: Error & { code?: string }) => {
    const oom = e.code === 'ERR_WORKER_OUT_OF_MEMORY';
    stopped('crashed', oom ? 'the pool runs within its heap limit' : 'the driver worker stays alive',
      oom ? `at most ${DRIVER_LIMITS.maxOldGenerationSizeMb} MB of heap` : 'no crash',
      oom ? 'the driver worker ran out of memory' : `${e.name}: ${e.message}`);
  });
  worker.on('exit', (code) => stopped('crashed', 'the driver worker runs to its end',
    'a report', `it exited with code ${code} (process.exit in the pool's code?)`));

  let seen = -1;
  let since = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const b = Atomics.load(beat, BEAT);
    if (b !== seen) {
      seen = b;
      since = now;
    }
    const asleep = Atomics.load(beat, WAITING) === 1;
    if (now - since > o.stallMs) {
      stopped(asleep ? 'hang' : 'endless-loop', 'every call returns',
        `a call into the pool at least every ${o.stallMs} ms`,
        asleep ? `the pool slept in Atomics.wait for ${Math.round(now - since)} ms and was stopped`
          : `the pool computed for ${Math.round(now - since)} ms without returning and was ` +
            'stopped');
    } else if (now - started > o.deadlineMs) {
      stopped('hang', 'the driver finishes within its time', `${o.deadlineMs} ms`,
        'it was still running and was stopped');
    }
  }, 50);

  try {
    return await done;
  } finally {
    clearInterval(timer);
    await stop(worker);
  }
}

/** Ends the worker (and the workers it started); resolves once it has exited. */
async function stop(worker: Worker): Promise<void> {
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', () => undefined);
  // Resolves at once for a worker that has exited already.
  await worker.terminate();
}

function stoppedReport(job: Omit<DriverJob, 'beat'>, ms: number, log: string[],
  f: { verdict: Verdict; property: string; expected: string; actual: string }): DriverReport {
  const steps = log.map((c, i) => `${String(i + 1).padStart(4)}. ${c}` +
    (i === log.length - 1 ? '   <- the call that did not return' : ''));
  return {
    driver: DRIVER_TITLES[job.driver], verdict: f.verdict, ran: 'stopped', ms: Math.round(ms),
    skipped: [],
    failure: { ...f, steps, replay: `--driver ${job.driver} --seed ${job.seed}`,
      note: 'not shrunk: the driver had to be stopped; the replay runs the same sequence' },
  };
}
