import { parentPort, workerData } from 'node:worker_threads';
import type { PoolFactory, SharedBackingFactory } from '../src/harness/contract.ts';
import { LockedPool } from './locked-pool.ts';

/**
 * The measuring side of `bench/reference.ts`: one worker thread that, for each case the main
 * thread sends, waits for its peers at a start word, runs alloc+free pairs for a fixed time
 * and posts how many it did. The per-pair work is written out in each case's batch function,
 * so the hot loop calls nothing but the implementation under test.
 */

/** One measurement request. */
export interface CaseMessage {
  impl: 'bare' | 'locked' | 'reference';
  durationMs: number;
  /** A word every worker of this case counts itself on before it starts the clock. */
  start: SharedArrayBuffer;
  parties: number;
  /** bare: the word to hammer; locked: the always-lock pool; reference: the generated pool. */
  buffer: SharedArrayBuffer;
  backing: SharedArrayBuffer;
}

/** What a worker measured. */
export interface CaseResult {
  pairs: number;
  elapsedMs: number;
  /** Allocations that returned null (the pair then has no free). */
  nulls: number;
}

const { mempoolUrl, backingUrl } = workerData as { mempoolUrl: string; backingUrl: string };
const { Mempool } = (await import(mempoolUrl)) as { Mempool: PoolFactory };
const { SharedBacking } = (await import(backingUrl)) as { SharedBacking: SharedBackingFactory };

const BATCH = 1000;

/** Runs `batch` (BATCH pairs, returning the nulls among them) until `ms` have passed. */
function timed(ms: number, batch: () => number): CaseResult {
  let pairs = 0;
  let nulls = 0;
  const started = performance.now();
  let now = started;
  while (now - started < ms) {
    nulls += batch();
    pairs += BATCH;
    now = performance.now();
  }
  return { pairs, elapsedMs: now - started, nulls };
}

function bare(msg: CaseMessage): CaseResult {
  const words = new Int32Array(msg.buffer);
  return timed(msg.durationMs, () => {
    for (let i = 0; i < BATCH; i++) {
      Atomics.add(words, 0, 1);
      Atomics.sub(words, 0, 1);
    }
    return 0;
  });
}

function locked(msg: CaseMessage): CaseResult {
  const pool = new LockedPool(msg.buffer, SharedBacking.attach(msg.backing));
  return timed(msg.durationMs, () => {
    let nulls = 0;
    for (let i = 0; i < BATCH; i++) {
      const element = pool.alloc();
      if (element === 0) nulls++;
      else pool.free(element);
    }
    return nulls;
  });
}

function reference(msg: CaseMessage): CaseResult {
  const pool = Mempool.attach(msg.buffer, SharedBacking.attach(msg.backing));
  return timed(msg.durationMs, () => {
    let nulls = 0;
    for (let i = 0; i < BATCH; i++) {
      const element = pool.alloc(false);
      if (element === 0) nulls++;
      else pool.free(element);
    }
    return nulls;
  });
}

function startTogether(msg: CaseMessage): void {
  const word = new Int32Array(msg.start);
  Atomics.add(word, 0, 1);
  Atomics.notify(word, 0);
  for (let seen = Atomics.load(word, 0); seen < msg.parties; seen = Atomics.load(word, 0)) {
    Atomics.wait(word, 0, seen, 1000);
  }
}

parentPort?.on('message', (msg: CaseMessage) => {
  startTogether(msg);
  const run = msg.impl === 'bare' ? bare : msg.impl === 'locked' ? locked : reference;
  parentPort?.postMessage(run(msg));
});
