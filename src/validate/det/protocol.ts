/**
 * How a deterministic-driver thread and the scheduler talk. Each simulated thread is a real
 * worker that runs the user's pool code; it stops at every shared access (and every call of
 * the backing allocator, and every step of its program), writes a request into its control
 * words and waits. The scheduler, on the main thread, answers one request at a time, chosen
 * by fast-check, so only one thread ever runs between two scheduling points and a run
 * replays exactly from its choices.
 *
 * Control words of thread k (`WORDS` words at `k * WORDS`):
 * - `STATE`: IDLE (between runs), REQUEST (a request is waiting), GRANTED (answered; the
 *   thread reads `RESULT`), ABORT (the run is over: the access throws), START (a new run).
 * - `OP`, `A`, `B`, `C`: the request. `RESULT`: the answer.
 * The program of a run is written at `PROGRAM` words into a separate Int32Array.
 */
export const WORDS = 8;
export const STATE = 0;
export const OP = 1;
export const A = 2;
export const B = 3;
export const C = 4;
export const RESULT = 5;

export const IDLE = 0;
export const REQUEST = 1;
export const GRANTED = 2;
export const ABORT = 3;
export const START = 4;

/** Request codes. */
export const Req = {
  load: 1, store: 2, cas: 3, add: 4, sub: 5, wait: 6, notify: 7, get: 8, set: 9,
  balloc: 10, bfree: 11,
  /** A program step begins: A = step kind, B = argument. */
  begin: 12,
  /** A program step ended: A = reply. */
  end: 13,
  /** The thread finished its program (or was aborted): A = 1 aborted, 2 threw, 0 done. */
  done: 14,
  /** Harness: the element the pool just returned to this thread (A). */
  got: 15,
  /** Harness: this thread frees element A. */
  freeing: 16,
  /** Harness: take a token; RESULT 1 if one was free. */
  token: 17,
  /** Harness: give a token back. */
  untoken: 18,
  /** Harness: backing.setFailing(A). */
  failing: 19,
  /** Harness: the user's code threw; the message is posted. */
  threw: 20,
  /** Harness: A = 0, where the mailboxes start in memory; A = 1, how many threads run. */
  info: 21,
} as const;

export const REQ_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Req).map(([k, v]) => [v, k]));

/** Program step kinds as encoded in the program array (3 words a step). */
export const Step = {
  create: 1, attach: 2, alloc: 3, free: 4, freeNull: 5, send: 6, receive: 7, failing: 8,
  resize: 9, inspect: 10, destroy: 11, freeAll: 12,
} as const;

export const STEP_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Step).map(([k, v]) => [v, k]));

/** Program array: word 0 = step count; then 3 words a step (kind, a, b). */
export const PROGRAM_WORDS = 1 + 3 * 128;

/** Thrown out of a memory access when the scheduler ends the run early. */
export class RunAborted extends Error {
  constructor() {
    super('the deterministic run was stopped by the scheduler');
    this.name = 'RunAborted';
  }
}
