/**
 * A deterministic-driver thread: loads the user's memory-interface pool, then for every run
 * executes its program with every shared access handed to the scheduler (see
 * `protocol.ts`). Its `Memory` and backing allocator never touch real shared state: the
 * scheduler owns the memory and answers each access.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type {
  BackingAllocator, Memory, MemoryPoolUnderTest, UserModule,
} from '../../harness/contract.ts';
import {
  A, ABORT, B, C, GRANTED, IDLE, OP, PROGRAM_WORDS, REQUEST, RESULT, Req, RunAborted, START,
  STATE, Step, WORDS,
} from './protocol.ts';

interface ThreadConfig {
  index: number;
  module: string;
  control: SharedArrayBuffer;
  program: SharedArrayBuffer;
  /** Per thread 1024 bytes: the message of an error the user's code threw. */
  messages: SharedArrayBuffer;
}

const config = workerData as ThreadConfig;
const ctl = new Int32Array(config.control, config.index * WORDS * 4, WORDS);
const program = new Int32Array(config.program, config.index * PROGRAM_WORDS * 4, PROGRAM_WORDS);
const messageBytes = new Uint8Array(config.messages, config.index * 1024, 1024);
const mod = (await import(config.module)) as UserModule;
const factory = mod.MempoolMem!;

function request(op: number, a = 0, b = 0, c = 0): number {
  ctl[OP] = op;
  ctl[A] = a;
  ctl[B] = b;
  ctl[C] = c;
  Atomics.store(ctl, STATE, REQUEST);
  Atomics.notify(ctl, STATE);
  // The scheduler usually answers within microseconds: spin a little before sleeping, as a
  // futex does, since a sleep and a wake-up cost far more than the answer.
  for (let spin = 0; ; spin++) {
    const s = Atomics.load(ctl, STATE);
    if (s === GRANTED) return ctl[RESULT];
    if (s === ABORT) throw new RunAborted();
    if (spin > SPINS) Atomics.wait(ctl, STATE, s);
  }
}

/** Polls of the state word before a thread sleeps on it. */
const SPINS = 2000;

const WAIT_RESULTS = ['ok', 'not-equal', 'timed-out'] as const;
const memory: Memory = {
  load: (i) => request(Req.load, i),
  store: (i, v) => void request(Req.store, i, v),
  compareExchange: (i, e, r) => request(Req.cas, i, e, r),
  add: (i, d) => request(Req.add, i, d),
  sub: (i, d) => request(Req.sub, i, d),
  wait: (i, e, t) => WAIT_RESULTS[request(Req.wait, i, e,
    t === Infinity || t > 0x7fffffff ? -1 : Math.max(0, Math.floor(t)))],
  notify: (i, c) => request(Req.notify, i, c === undefined || c === Infinity ? -1 : c),
  get: (i) => request(Req.get, i),
  set: (i, v) => void request(Req.set, i, v),
};
const backing: BackingAllocator = {
  alloc: () => request(Req.balloc),
  free: (e) => void request(Req.bfree, e),
};

/** Where the harness's mailboxes start in memory: `A` of the create step. */
let mailboxBase = 0;
let threads = 1;

let pool: MemoryPoolUnderTest | null = null;
let held: number[] = [];

function runProgram(): void {
  const count = program[0];
  const self = config.index;
  for (let s = 0; s < count; s++) {
    const kind = program[1 + 3 * s];
    const a = program[2 + 3 * s];
    const b = program[3 + 3 * s];
    if (kind === Step.freeAll) {
      // Each element given back is its own call in the scheduler's trace.
      receiveAll(held);
      while (held.length > 0) {
        request(Req.begin, Step.free, 0, 0);
        freeOne(held.shift()!);
        request(Req.end, 0);
      }
      continue;
    }
    request(Req.begin, kind, a, b);
    let reply = 0;
    switch (kind) {
      case Step.create:
        // a = minNr, b = slots; the sleep timeout is the scheduler's (any finite value).
        mailboxBase = request(Req.info, 0);
        threads = request(Req.info, 1);
        held = [];
        pool = factory.create(memory, { minNr: a, slots: b, backing, sleepTimeoutMs: 5 });
        reply = pool ? 1 : 0;
        break;
      case Step.attach:
        mailboxBase = request(Req.info, 0);
        threads = request(Req.info, 1);
        held = [];
        pool = factory.attach(memory, backing, 5);
        break;
      case Step.alloc:
        if (request(Req.token) === 0) {
          reply = -1;
          break;
        }
        reply = pool!.alloc(a === 1);
        if (reply === 0) request(Req.untoken);
        else {
          request(Req.got, reply);
          held.push(reply);
        }
        break;
      case Step.free:
        if (held.length === 0) {
          reply = -1;
          break;
        }
        freeOne(held.splice(a % held.length, 1)[0]);
        break;
      case Step.freeNull:
        pool!.free(0);
        break;
      case Step.send: {
        const to = (self + a) % threads;
        const box = mailboxBase + self * threads + to;
        if (held.length === 0 || to === self || request(Req.get, box, 0, 1) !== 0) {
          reply = -1;
          break;
        }
        const [e] = held.splice(b % held.length, 1);
        request(Req.got, e, to + 1); // the ledger transfer, before the element is published
        request(Req.set, box, e, 1);
        break;
      }
      case Step.receive:
        reply = receiveAll(held);
        break;
      case Step.failing:
        request(Req.failing, a);
        break;
      case Step.resize:
        reply = pool!.resize(a);
        break;
      case Step.inspect: {
        const seen = pool!.inspect();
        request(Req.end, seen.currNr, seen.minNr, seen.waiters);
        continue;
      }
      case Step.destroy:
        pool!.destroy();
        break;
    }
    request(Req.end, reply);
  }
}

function freeOne(e: number): void {
  request(Req.freeing, e);
  pool!.free(e);
  request(Req.untoken);
}

/** Takes the elements others passed to this thread (plain reads and writes, no barrier). */
function receiveAll(held: number[]): number {
  let got = 0;
  for (let from = 0; from < threads; from++) {
    if (from === config.index) continue;
    const box = mailboxBase + from * threads + config.index;
    const e = request(Req.get, box, 0, 1);
    if (e === 0) continue;
    request(Req.set, box, 0, 1);
    held.push(e);
    got++;
  }
  return got;
}

parentPort!.postMessage({ type: 'ready' });
for (;;) {
  Atomics.wait(ctl, STATE, IDLE);
  if (Atomics.load(ctl, STATE) !== START) continue;
  let outcome = 0;
  try {
    runProgram();
  } catch (error) {
    if (error instanceof RunAborted) outcome = 1;
    else {
      outcome = 2;
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const { written } = new TextEncoder().encodeInto(text, messageBytes.subarray(0, 1000));
      try {
        request(Req.threw, written ?? 0);
      } catch {
        // aborted: the scheduler already knows
      }
    }
  }
  // Tell the scheduler, then go idle. An abort answer to this is fine too.
  ctl[OP] = Req.done;
  ctl[A] = outcome;
  Atomics.store(ctl, STATE, REQUEST);
  Atomics.notify(ctl, STATE);
  for (;;) {
    const s = Atomics.load(ctl, STATE);
    if (s === GRANTED || s === ABORT) break;
    Atomics.wait(ctl, STATE, s, 50);
  }
  // The scheduler waits for IDLE before it starts this thread again.
  Atomics.store(ctl, STATE, IDLE);
  Atomics.notify(ctl, STATE);
}
