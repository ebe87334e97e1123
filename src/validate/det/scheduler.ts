import { Worker } from 'node:worker_threads';
import type { Verdict } from '../report.ts';
import {
  createMemory, read, readChoices, write, type MemoryState,
} from '../../memory/views.ts';
import { LedgerViolation, OwnershipLedger, describeViolation } from '../../harness/ledger.ts';
import { spawnWorker } from '../../harness/spawn.ts';
import {
  A, ABORT, B, C, GRANTED, IDLE, OP, PROGRAM_WORDS, REQ_NAMES, REQUEST, RESULT, Req, START,
  STATE, STEP_NAMES, Step, WORDS,
} from './protocol.ts';

/**
 * The deterministic scheduler: owns the pool's memory (a views memory state, see
 * `src/memory/views.ts`), the backing allocator and the ownership ledger, and answers the
 * threads' requests one at a time, in the order a list of choices dictates. A choice list
 * fixes the whole run: which thread goes at each point, which message each read returns
 * (weak mode), which sleeper times out when nobody can run. A run stops at the first
 * problem with a `Stop`.
 */

/** One step of a thread program, as `programs.ts` makes them. */
export interface DetStep {
  kind: number;
  a: number;
  b: number;
}

/** Why a run stopped early; `verdict` is the report's verdict. */
export class Stop extends Error {
  constructor(
    readonly verdict: Verdict,
    readonly property: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${property}: expected ${expected}, got ${actual}`);
    this.name = 'Stop';
  }
}

/** The call a thread is making in a run, with its reply once it has one. */
export interface ThreadCall {
  thread: number;
  kind: number;
  arg: number;
  element: number;
  start: number;
  end: number;
  reply: number;
}

/** What one run did: its numbered trace and what it ended with. */
export interface RunRecord {
  trace: { thread: number; text: string }[];
  inspection: { currNr: number; minNr: number; waiters: number } | null;
  capacity: number;
  steps: number;
  /** At the end: elements the ledger counts in the pool, and out of the backing allocator. */
  inPool: number;
  backingOut: number;
}

interface Sleeper {
  word: number;
  finite: boolean;
  since: number;
}

export interface SchedulerOptions {
  moduleUrl: string;
  threads: number;
  wordCount: number;
  weak: boolean;
  /** A thread computing this long without a shared access is in an endless loop (ms). */
  silentMs: number;
  /** Shared accesses one operation may make before it counts as looping for ever. */
  accessLimit: number;
  resourceLimits?: { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number };
  /** The module is TypeScript: threads start through tsx even from `dist/`. */
  typescript?: boolean;
}

/** Polls of a thread's state word before the scheduler sleeps on it. */
const SPINS = 2000;

const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './thread.ts' : './thread.js',
  import.meta.url);

export class Scheduler {
  private workers: Worker[] = [];
  private exits: Promise<unknown>[] = [];
  private crashed: string | null = null;
  private readonly ctl: Int32Array;
  private readonly programs: Int32Array;
  private readonly messages: Uint8Array;
  private readonly mailboxBase: number;

  // Per run:
  private mem!: MemoryState;
  private choices: number[] = [];
  private cursor = 0;
  private ledger!: OwnershipLedger;
  private backing = { capacity: 0, failing: false, inUse: 0, next: 0 };
  private tokens = 0;
  private sleepers = new Map<number, Sleeper>();
  private current: (ThreadCall | null)[] = [];
  private accesses: number[] = [];
  private record!: RunRecord;
  private timeoutsInARow = 0;
  private lastThread = -1;
  /**
   * For each thread inside alloc(wait): the elements frees have put into the reserve since
   * its call began. One still there while it sleeps and nobody can run is a lost wake-up:
   * the free either came before the waiter looked under the lock (it should have taken the
   * element) or after it joined the queue (it should have been woken). Elements a resize put
   * in the reserve do not count: the kernel's mempool_resize() wakes nobody, and the
   * waiter's timeout covers them.
   */
  private refills = new Map<number, Set<number>>();
  /** min_nr of this run's create; the reserve floor while no resize has begun. */
  private floor = 0;
  private resized = false;

  constructor(private readonly o: SchedulerOptions) {
    const n = o.threads;
    this.ctl = new Int32Array(new SharedArrayBuffer(n * WORDS * 4));
    this.programs = new Int32Array(new SharedArrayBuffer(n * PROGRAM_WORDS * 4));
    this.messages = new Uint8Array(new SharedArrayBuffer(n * 1024));
    this.mailboxBase = o.wordCount;
  }

  /** Starts the thread workers and waits until each has loaded the module. */
  async start(startupMs: number): Promise<void> {
    const ready: Promise<void>[] = [];
    for (let k = 0; k < this.o.threads; k++) {
      const worker = spawnWorker(WORKER_ENTRY, {
        index: k, module: this.o.moduleUrl, control: this.ctl.buffer,
        program: this.programs.buffer, messages: this.messages.buffer,
      }, this.o.resourceLimits, this.o.typescript);
      ready.push(new Promise((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`exited with code ${code}`)));
      }));
      worker.on('error', (e) => (this.crashed ??= `thread ${k} crashed: ${e.message}`));
      worker.on('exit', (code) => (this.crashed ??= `thread ${k} exited with code ${code}`));
      this.exits.push(new Promise((resolve) => worker.once('exit', resolve)));
      this.workers.push(worker);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not load within ${startupMs} ms`)),
        startupMs);
    });
    try {
      await Promise.race([Promise.all(ready), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Terminates every thread and resolves once each has exited. */
  async shutdown(): Promise<number> {
    this.crashed ??= 'shut down';
    await Promise.all(this.workers.map((w) => w.terminate()));
    await Promise.all(this.exits);
    return this.workers.length;
  }

  /** Whether the threads are still usable (none crashed or hung for good). */
  get broken(): string | null {
    return this.crashed;
  }

  /**
   * One run: thread 0 creates the pool; every thread attaches and runs its program, then
   * gives back all it holds; the leftovers in mailboxes are drained one thread at a time;
   * thread 0 inspects the pool. Throws `Stop` at the first problem; `record` has the trace.
   */
  run(minNr: number, slots: number, perThread: number, programs: DetStep[][],
    choices: number[], starve = false): RunRecord {
    const n = this.o.threads;
    const vars = Array.from({ length: this.mailboxBase + n * n }, (_, i) =>
      ({ name: `w${i}`, init: 0 }));
    this.mem = createMemory({ vars, locks: [], threads: n });
    this.choices = choices;
    this.cursor = 0;
    this.ledger = OwnershipLedger.create(1024);
    this.tokens = n * perThread;
    this.backing = { capacity: minNr + this.tokens, failing: false, inUse: 0, next: 0 };
    this.sleepers.clear();
    this.current = Array.from({ length: n }, () => null);
    this.accesses = Array.from({ length: n }, () => 0);
    this.timeoutsInARow = 0;
    this.floor = minNr;
    this.lastThread = -1;
    this.refills.clear();
    this.resized = false;
    this.record = { trace: [], inspection: null, capacity: this.backing.capacity,
      steps: 0, inPool: 0, backingOut: 0 };
    try {
      this.phase([[{ kind: Step.create, a: minNr, b: slots }]], [0]);
      if (starve) {
        this.backing.failing = true;
        this.trace(0, 'the backing allocator starts failing (memory pressure)');
      }
      const main = programs.map((p, k) => [
        ...(k === 0 ? [] : [{ kind: Step.attach, a: 0, b: 0 }]), ...p,
        { kind: Step.freeAll, a: 0, b: 0 },
      ]);
      this.phase(main, main.map((_, k) => k));
      for (let k = 0; k < n; k++) this.phase([[{ kind: Step.freeAll, a: 0, b: 0 }]], [k]);
      this.phase([[{ kind: Step.inspect, a: 0, b: 0 }]], [0]);
      this.record.inPool = this.ledger.inPool();
      this.record.backingOut = this.backing.inUse;
    } finally {
      this.settle();
    }
    return this.record;
  }

  /** Runs `programs[i]` on thread `threads[i]` until all are done. */
  private phase(programs: DetStep[][], threads: number[]): void {
    threads.forEach((k, i) => {
      this.awaitIdle(k);
      const base = k * PROGRAM_WORDS;
      const program = programs[i];
      if (program.length * 3 + 1 > PROGRAM_WORDS) throw new Error('program too long');
      this.programs[base] = program.length;
      program.forEach((s, j) => {
        this.programs[base + 1 + 3 * j] = s.kind;
        this.programs[base + 2 + 3 * j] = s.a;
        this.programs[base + 3 + 3 * j] = s.b;
      });
      this.setState(k, START);
    });
    const live = new Set(threads);
    while (live.size > 0) {
      const pending: number[] = [];
      for (const k of live) {
        if (this.sleepers.has(k)) continue;
        this.awaitRequest(k);
        if (this.ctl[k * WORDS + OP] === Req.done) {
          this.finish(k);
          live.delete(k);
        } else {
          pending.push(k);
        }
      }
      if (live.size === 0) break;
      if (pending.length === 0) {
        this.quiescent(live.size);
        continue;
      }
      const k = this.pickThread(pending);
      this.serve(k);
    }
  }

  /**
   * Waits until thread k is back to IDLE after its last program, so that START is never
   * overwritten by the thread's own move to IDLE.
   */
  private awaitIdle(k: number): void {
    const at = k * WORDS + STATE;
    const deadline = performance.now() + this.o.silentMs;
    for (;;) {
      const s = Atomics.load(this.ctl, at);
      if (s === IDLE) return;
      if (this.crashed) throw new Stop('crashed', 'the thread stays alive', 'it runs', this.crashed);
      if (performance.now() > deadline) {
        this.crashed = `thread ${k} did not come back after its program`;
        throw new Stop('endless-loop', `T${k} returns from its last call`,
          `within ${this.o.silentMs} ms`, 'it did not');
      }
      Atomics.wait(this.ctl, at, s, 20);
    }
  }

  /** Waits until thread k posts a request; a thread that computes too long is looping. */
  private awaitRequest(k: number): void {
    const at = k * WORDS + STATE;
    const deadline = performance.now() + this.o.silentMs;
    let spins = 0;
    for (;;) {
      const s = Atomics.load(this.ctl, at);
      if (s === REQUEST) return;
      if (this.crashed) throw new Stop('crashed', 'the thread stays alive', 'it runs', this.crashed);
      const left = deadline - performance.now();
      if (left <= 0) {
        this.crashed = `thread ${k} stuck outside the scheduler`;
        throw new Stop('endless-loop', `T${k} reaches its next shared access`,
          `within ${this.o.silentMs} ms`, `it computed for ${this.o.silentMs} ms without ` +
          'one (an endless loop in the pool\'s own code)');
      }
      // Spin first: the thread's next request is usually a few microseconds away.
      if (++spins > SPINS) Atomics.wait(this.ctl, at, s, Math.min(left, 100));
    }
  }

  private finish(k: number): void {
    const outcome = this.ctl[k * WORDS + A];
    this.grant(k, 0);
    if (outcome === 2) this.threw(k);
  }

  private threw(k: number): never {
    const bytes = this.messages.subarray(k * 1024, k * 1024 + this.ctl[k * WORDS + A]);
    const text = new TextDecoder().decode(bytes.slice());
    const op = this.current[k];
    throw new Stop('threw', `${op ? STEP_NAMES[op.kind] : 'the call'} returns`,
      'it returns or sleeps', `T${k} throws ${text}`);
  }

  /** No thread can run; some sleep. A waiter left asleep with elements to take is lost. */
  private quiescent(live: number): void {
    const sleeping = [...this.sleepers.entries()];
    const timed = sleeping.filter(([, s]) => s.finite);
    const inReserve = this.ledger.inPool();
    for (const [k] of timed) {
      const owed = [...this.refills.get(k) ?? []]
        .filter((e) => this.ledger.placeOf(e).at === 'pool');
      if (owed.length > 0) {
        throw new Stop('lost-wakeup', 'no waiter is left dangling (invariant 2 of kernel ' +
          'commit 5b990546)', `T${k} woken: the reserve holds ${inReserve} element(s), ` +
          `${owed.map((e) => `e${e}`).join(', ')} put there by a free since its alloc(wait) ` +
          'began',
          `T${k} sleeps in alloc(wait) and no other thread can run to wake it`);
      }
    }
    if (this.backing.failing && this.sleepers.size === live) {
      // Every thread still running sleeps: memory pressure ends (the environment recovers),
      // so a waiter's retry can succeed and a correct pool makes progress from here.
      this.backing.failing = false;
      this.trace(sleeping[0][0], 'the backing allocator stops failing (every thread sleeps)');
      return;
    }
    if (timed.length === 0) {
      throw new Stop('hang', 'some thread can run', 'progress',
        `every live thread sleeps without a timeout: ${sleeping.map(([k, s]) =>
          `T${k} on word ${s.word}`).join(', ')}`);
    }
    if (++this.timeoutsInARow > 4 * this.o.threads) {
      const [k] = timed[0];
      throw new Stop('hang', `T${k} gets an element once the others are done`,
        'a retry after its sleep times out succeeds (the backing allocator has room: ' +
        `${this.backing.capacity - this.backing.inUse} free, failing ${this.backing.failing})`,
        `it timed out ${this.timeoutsInARow - 1} times in a row and went back to sleep`);
    }
    const [k, s] = timed[this.choose(timed.length)];
    this.sleepers.delete(k);
    this.trace(k, `wait(w${s.word}) times out`);
    this.grant(k, 2);
  }

  /** Answers thread k's request. */
  private serve(k: number): void {
    const w = k * WORDS;
    const op = this.ctl[w + OP];
    const a = this.ctl[w + A];
    const b = this.ctl[w + B];
    const c = this.ctl[w + C];
    const harness = op >= Req.balloc;
    if (!harness || op === Req.balloc || op === Req.bfree) {
      if (++this.accesses[k] > this.o.accessLimit) {
        throw new Stop('endless-loop', `T${k}'s ${this.opName(k)} returns`,
          `within ${this.o.accessLimit} shared accesses`,
          'it keeps accessing shared memory without returning (spinning for ever)');
      }
    }
    this.record.steps++;
    const isHarnessAccess = (op === Req.get || op === Req.set) && c === 1;
    if (!harness && !isHarnessAccess && (a < 0 || a >= this.o.wordCount || !Number.isInteger(a))) {
      throw new Stop('out-of-bounds', `T${k}'s ${REQ_NAMES[op]} stays in the pool's memory`,
        `a word index 0..${this.o.wordCount - 1}`, `word ${a}`);
    }
    try {
      switch (op) {
        case Req.load: case Req.get: {
          const v = this.readWord(k, a, op === Req.load ? 'sc' : 'once');
          if (!isHarnessAccess) this.trace(k, `${REQ_NAMES[op]}(w${a}) -> ${v}`);
          return this.grant(k, v);
        }
        case Req.store: case Req.set:
          this.mem = write(this.mem, k, `w${a}`, b | 0, op === Req.store ? 'sc' : 'once');
          if (!isHarnessAccess) this.trace(k, `${REQ_NAMES[op]}(w${a}, ${b})`);
          return this.grant(k, 0);
        case Req.cas: case Req.add: case Req.sub: {
          const old = this.latest(k, a);
          const next = op === Req.cas ? (old === b ? c : old) : op === Req.add ? old + b : old - b;
          if (op !== Req.cas || old === b) this.mem = write(this.mem, k, `w${a}`, next | 0, 'sc');
          this.trace(k, op === Req.cas ? `compareExchange(w${a}, ${b}, ${c}) -> ${old}`
            : `${REQ_NAMES[op]}(w${a}, ${b}) -> ${old}`);
          return this.grant(k, old);
        }
        case Req.wait: {
          const v = this.latest(k, a);
          if (v !== b) {
            this.trace(k, `wait(w${a}, ${b}) -> not-equal (${v})`);
            return this.grant(k, 1);
          }
          this.trace(k, `wait(w${a}, ${b}) sleeps${c < 0 ? ' (no timeout)' : ''}`);
          this.sleepers.set(k, { word: a, finite: c >= 0, since: this.record.steps });
          return;
        }
        case Req.notify: {
          this.latest(k, a); // a notify is sequentially consistent, like Atomics.notify
          let woken = 0;
          const sleepers = [...this.sleepers.entries()].filter(([, s]) => s.word === a)
            .sort((x, y) => x[1].since - y[1].since);
          for (const [t] of sleepers) {
            if (b >= 0 && woken >= b) break;
            this.sleepers.delete(t);
            this.trace(t, `woken by T${k}`);
            this.grant(t, 0);
            woken++;
          }
          this.trace(k, `notify(w${a}) -> ${woken}`);
          return this.grant(k, woken);
        }
        case Req.balloc: {
          const bk = this.backing;
          let e = 0;
          if (!bk.failing && bk.inUse < bk.capacity) {
            e = ++bk.next;
            bk.inUse++;
            this.ledger.fromBacking(e);
          }
          this.trace(k, `backing.alloc() -> ${e === 0 ? 'null' : `e${e}`}`);
          return this.grant(k, e);
        }
        case Req.bfree:
          this.trace(k, `backing.free(e${a})`);
          if (a !== 0) {
            this.ledger.toBacking(a);
            this.backing.inUse--;
            this.checkFloor(k);
          }
          return this.grant(k, 0);
        case Req.begin: {
          if (a === Step.resize) this.resized = true;
          if (a === Step.alloc && b === 1) this.refills.set(k, new Set());
          else this.refills.delete(k);
          this.accesses[k] = 0;
          const entry: ThreadCall = { thread: k, kind: a, arg: b, element: 0,
            start: this.record.steps, end: -1, reply: 0 };
          this.current[k] = entry;
          this.trace(k, `begin ${describe(entry)}`);
          return this.grant(k, 0);
        }
        case Req.end: {
          const entry = this.current[k]!;
          entry.end = this.record.steps;
          entry.reply = a;
          this.timeoutsInARow = 0;
          if (entry.kind === Step.inspect) {
            this.record.inspection = { currNr: a, minNr: b, waiters: c };
            this.trace(k, `end inspect -> currNr ${a}, minNr ${b}, waiters ${c}`);
          } else {
            this.trace(k, `end ${describe(entry)} -> ${replyText(entry)}`);
          }
          this.current[k] = null;
          if (entry.kind === Step.alloc && entry.arg === 1 && a === 0) {
            throw new Stop('wrong-reply', 'alloc(wait) returns an element', 'an element',
              `null (T${k})`);
          }
          if (entry.kind === Step.free && entry.element !== 0 &&
            this.ledger.placeOf(entry.element).at === 'pool') {
            for (const refilled of this.refills.values()) refilled.add(entry.element);
          }
          if (entry.kind === Step.create && a === 0) {
            throw new Stop('wrong-reply', 'create', 'a pool (the backing allocator has room)',
              'null');
          }
          return this.grant(k, 0);
        }
        case Req.got:
          if (b === 0) {
            this.ledger.handedOut(a, k);
            if (this.current[k]) this.current[k]!.element = a;
          } else {
            this.ledger.transfer(a, k, b - 1);
            this.trace(k, `send e${a} to T${b - 1}`);
          }
          return this.grant(k, 0);
        case Req.freeing:
          this.ledger.returning(a, k);
          if (this.current[k]) this.current[k]!.element = a;
          return this.grant(k, 0);
        case Req.token:
          if (this.tokens <= 0) return this.grant(k, 0);
          this.tokens--;
          return this.grant(k, 1);
        case Req.untoken:
          this.tokens++;
          return this.grant(k, 0);
        case Req.failing:
          this.backing.failing = a === 1;
          return this.grant(k, 0);
        case Req.info:
          return this.grant(k, a === 0 ? this.mailboxBase : this.o.threads);
        case Req.threw:
          this.ctl[w + A] = a;
          return this.threw(k);
        default:
          throw new Error(`unknown request ${op} from T${k}`);
      }
    } catch (error) {
      if (error instanceof LedgerViolation) {
        throw new Stop('ownership', 'every element has one owner', 'it holds',
          describeViolation(error.violation));
      }
      throw error;
    }
  }

  /**
   * Invariant 1 of kernel commit 5b990546, as the ledger sees it: when a free gives an
   * element to the backing allocator, the elements in the pool and with clients still number
   * at least min_nr. Checked until a resize begins (a resize moves the floor while frees
   * race it; the end-of-run checks cover those runs).
   */
  private checkFloor(k: number): void {
    if (this.resized || this.current[k]?.kind !== Step.free) return;
    const kept = this.ledger.inPool() + this.ledger.withClients();
    if (kept < this.floor) {
      throw new Stop('invariant', 'reserve_floor: curr_nr + allocated >= min_nr (invariant 1 ' +
        'of kernel commit 5b990546)', `at least ${this.floor} element(s) in the reserve or ` +
        'handed out', `T${k}'s free gave its element to the backing allocator and left ${kept}`);
    }
  }

  /** A read of word `a` by thread k: in weak mode the choice list picks the message. */
  private readWord(k: number, a: number, mode: 'sc' | 'once'): number {
    const name = `w${a}`;
    const options = readChoices(this.mem, k, name, mode);
    const pick = this.o.weak ? options.length - 1 - this.choose(options.length)
      : options.length - 1;
    this.mem = read(this.mem, k, name, options[pick].timestamp, mode);
    return options[pick].value;
  }

  /** The latest value of word a, read as a read-modify-write does (sequentially consistent). */
  private latest(k: number, a: number): number {
    const name = `w${a}`;
    const options = readChoices(this.mem, k, name, 'sc');
    const last = options[options.length - 1];
    this.mem = read(this.mem, k, name, last.timestamp, 'sc');
    return last.value;
  }

  /**
   * The thread that makes the next access. Seven choices in eight keep the thread that went
   * last (if it can go), the eighth picks any. The bugs a pool has need one thread to be
   * preempted at one point and another to run a whole operation (about ten accesses) before
   * it resumes; independent coin flips at every access almost never give that, and a switch
   * chance near 1/(10+1) at each access gives it most often (bounded preemption, in the
   * manner of CHESS and PCT).
   */
  private pickThread(pending: number[]): number {
    if (pending.length === 1) return (this.lastThread = pending[0]);
    const c = this.cursor < this.choices.length ? this.choices[this.cursor] : 0;
    this.cursor++;
    const keep = (c & 7) !== 0 && pending.includes(this.lastThread);
    this.lastThread = keep ? this.lastThread : pending[(c >> 3) % pending.length];
    return this.lastThread;
  }

  private choose(n: number): number {
    if (n <= 1) return 0;
    const c = this.cursor < this.choices.length ? this.choices[this.cursor] : 0;
    this.cursor++;
    return c % n;
  }

  private opName(k: number): string {
    const op = this.current[k];
    return op ? describe(op) : 'step';
  }

  private trace(thread: number, text: string): void {
    this.record.trace.push({ thread, text });
  }

  private setState(k: number, value: number): void {
    Atomics.store(this.ctl, k * WORDS + STATE, value);
    Atomics.notify(this.ctl, k * WORDS + STATE);
  }

  private grant(k: number, result: number): void {
    this.ctl[k * WORDS + RESULT] = result;
    this.setState(k, GRANTED);
  }

  /**
   * After a run, stopped or not: every thread is told to abort what it was doing and must
   * come back to IDLE. A thread that does not (it swallows the abort and loops) breaks the
   * scheduler; the caller then shuts it down.
   */
  private settle(): void {
    this.sleepers.clear();
    for (let k = 0; k < this.o.threads; k++) {
      const at = k * WORDS + STATE;
      const deadline = performance.now() + this.o.silentMs;
      for (;;) {
        const s = Atomics.load(this.ctl, at);
        if (s === IDLE) break;
        if (s === REQUEST) this.setState(k, ABORT);
        if (this.crashed || performance.now() > deadline) {
          this.crashed ??= `thread ${k} did not stop after its run`;
          return;
        }
        Atomics.wait(this.ctl, at, Atomics.load(this.ctl, at), 20);
      }
    }
  }
}

/** `alloc(wait)`, `free(e3)`, ... */
export function describe(op: ThreadCall): string {
  switch (op.kind) {
    case Step.alloc: return op.arg === 1 ? 'alloc(wait)' : 'alloc(nowait)';
    case Step.free: return op.element ? `free(e${op.element})` : 'free(held)';
    case Step.freeAll: return 'free everything held';
    case Step.freeNull: return 'free(null)';
    case Step.resize: return `resize(${op.arg})`;
    case Step.failing: return `backing.setFailing(${op.arg === 1})`;
    case Step.send: return 'send';
    case Step.receive: return 'receive';
    case Step.create: return `create(minNr ${op.arg})`;
    default: return STEP_NAMES[op.kind] ?? `step ${op.kind}`;
  }
}

function replyText(op: ThreadCall): string {
  if (op.reply === -1) return 'skipped';
  if (op.kind === Step.alloc) return op.reply === 0 ? 'null' : `e${op.reply}`;
  return String(op.reply);
}
