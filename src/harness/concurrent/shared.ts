import type { WorkerProgram } from './program.ts';

/**
 * The shared words the concurrent suite's workers coordinate through, besides the pool and
 * the ledger.
 *
 * Control (one buffer per round):
 * - `TOKENS`: how many more elements clients may take. A worker takes a token before an
 *   alloc and returns it when the alloc comes back empty or when it frees. With the backing
 *   allocator's capacity at `min_nr` + tokens, the reserve plus every element out fits, so
 *   a waiting alloc always gets an element once the backing allocator stops failing: a
 *   worker that waits for ever is the pool's fault, never the program's.
 * - `ARRIVED`: the start barrier, so that workers run their programs at the same time.
 * - `DONE`: the end barrier: workers that finished keep taking in elements passed to them
 *   until every worker has finished.
 * - `MAILBOX + from * workers + to`: the channel an element is passed through: 0 when
 *   empty; only `from` fills it and only `to` empties it, both with Atomics, so the
 *   hand-over synchronizes (the pool itself guarantees nothing about plain memory).
 *
 * Watch (one buffer for the whole run, read by the watchdog):
 * - `HEARTBEAT + k`: bumped by worker k after every step and while it waits at a barrier.
 * - `STEP + k`: the step worker k is in (-1 between rounds, -2 at the end barrier).
 */

/** Control word: elements clients may still take. */
export const TOKENS = 0;
/** Control word: workers at the start barrier. */
export const ARRIVED = 1;
/** Control word: workers that finished their program. */
export const DONE = 2;
/** Control word: the first mailbox. */
export const MAILBOX = 4;

/** Words of a round's control buffer for `workers` workers. */
export function controlWords(workers: number): number {
  return MAILBOX + workers * workers;
}

/** Index of the mailbox from worker `from` to worker `to`. */
export function mailbox(workers: number, from: number, to: number): number {
  return MAILBOX + from * workers + to;
}

/** Index of worker k's heartbeat in the watch buffer. */
export function heartbeat(k: number): number {
  return 2 * k;
}

/** Index of worker k's current step in the watch buffer. */
export function currentStep(k: number): number {
  return 2 * k + 1;
}

/** Words of the watch buffer for `workers` workers. */
export function watchWords(workers: number): number {
  return 2 * workers;
}

/** `STEP` value of a worker between rounds. */
export const STEP_IDLE = -1;
/** `STEP` value of a worker waiting at a barrier. */
export const STEP_BARRIER = -2;

/** What the main thread sends a worker for each round. */
export interface RoundMessage {
  type: 'round';
  round: number;
  workers: number;
  pool: SharedArrayBuffer;
  backing: SharedArrayBuffer;
  ledger: SharedArrayBuffer;
  control: SharedArrayBuffer;
  program: WorkerProgram;
  sleepTimeoutMs: number;
  /** The worker runs its program again until this long (ms) has passed, at least once. */
  minMs: number;
}

/** What a worker did in a round, to show the suite reached the paths it means to. */
export interface WorkerStats {
  /** Times the program was run through. */
  passes: number;
  allocs: number;
  allocNulls: number;
  waitingAllocs: number;
  frees: number;
  sent: number;
  received: number;
  /** Steps that could not run (no token, nothing held, mailbox full). */
  skipped: number;
}

/** What a worker sends back. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'finished'; round: number; stats: WorkerStats }
  | { type: 'failed'; round: number; step: number; message: string };
