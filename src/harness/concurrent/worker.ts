/**
 * The entry of a concurrent-suite worker. It loads the implementation once, then runs one
 * program per round on the pool the main thread created for that round, recording every
 * element it gets and gives in the shared ownership ledger.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ImplementationModule, PoolUnderTest, SharedBackingUnderTest } from '../contract.ts';
import { OwnershipLedger } from '../ledger.ts';
import { TrackedBacking } from '../tracked-backing.ts';
import type { WorkerStep } from './program.ts';
import {
  ARRIVED, currentStep, DONE, heartbeat, mailbox, STEP_BARRIER, STEP_IDLE, TOKENS,
  type RoundMessage, type WorkerReply, type WorkerStats,
} from './shared.ts';

interface WorkerConfig {
  /** This worker's number, also its client number in the ledger. */
  index: number;
  implementation: string;
  watch: SharedArrayBuffer;
}

const config = workerData as WorkerConfig;
const port = parentPort!;
const watch = new Int32Array(config.watch);
const impl = (await import(config.implementation)) as ImplementationModule;

port.on('message', (message: RoundMessage) => {
  let step = -1;
  try {
    const round = new RoundRunner(message, (i) => (step = i));
    const stats = round.run();
    post({ type: 'finished', round: message.round, stats });
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    post({ type: 'failed', round: message.round, step, message: text });
  } finally {
    Atomics.store(watch, currentStep(config.index), STEP_IDLE);
  }
});
post({ type: 'ready' });

function post(reply: WorkerReply): void {
  port.postMessage(reply);
}

/** One round: attach, meet the others, run the program, give everything back. */
class RoundRunner {
  private readonly self = config.index;
  private readonly control: Int32Array;
  private readonly ledger: OwnershipLedger;
  private readonly backing: SharedBackingUnderTest;
  private readonly pool: PoolUnderTest;
  private readonly held: number[] = [];
  private readonly stats: WorkerStats = {
    passes: 0, allocs: 0, allocNulls: 0, waitingAllocs: 0, frees: 0, sent: 0, received: 0,
    skipped: 0,
  };

  constructor(
    private readonly m: RoundMessage,
    private readonly onStep: (index: number) => void,
  ) {
    this.control = new Int32Array(m.control);
    this.ledger = OwnershipLedger.attach(m.ledger);
    this.backing = impl.SharedBacking.attach(m.backing);
    const tracked = new TrackedBacking(this.backing, this.ledger);
    this.pool = impl.Mempool.attach(m.pool, tracked, m.sleepTimeoutMs);
  }

  run(): WorkerStats {
    this.barrier(ARRIVED, this.m.workers);
    // Programs take well under a millisecond, less than the skew between threads leaving
    // the barrier: repeating them for a while makes the workers actually overlap. Each pass
    // starts empty-handed, so one greedy pass cannot keep the others' allocs from running.
    const until = performance.now() + this.m.minMs;
    do {
      this.m.program.forEach((step, i) => {
        this.onStep(i);
        Atomics.store(watch, currentStep(this.self), i);
        this.step(step);
        this.beat();
      });
      this.onStep(-1);
      this.receive();
      while (this.held.length > 0) this.free(0);
      this.stats.passes++;
    } while (performance.now() < until);
    Atomics.add(this.control, DONE, 1);
    Atomics.notify(this.control, DONE);
    // Others may still pass elements here until they finish too; take and free them.
    Atomics.store(watch, currentStep(this.self), STEP_BARRIER);
    for (;;) {
      const done = Atomics.load(this.control, DONE);
      this.receive();
      while (this.held.length > 0) this.free(0);
      if (done === this.m.workers) break;
      Atomics.wait(this.control, DONE, done, 5);
      this.beat();
    }
    return this.stats;
  }

  private step(step: WorkerStep): void {
    switch (step.k) {
      case 'alloc':
        return this.alloc(step.wait);
      case 'free':
        if (this.held.length === 0) this.stats.skipped++;
        else this.free(step.pick);
        return;
      case 'free-null':
        this.pool.free(0);
        return;
      case 'send':
        return this.send(step.offset, step.pick);
      case 'receive':
        return this.receive();
      case 'failing':
        this.backing.setFailing(step.on);
        return;
    }
  }

  private alloc(wait: boolean): void {
    if (!takeToken(this.control)) {
      this.stats.skipped++;
      return;
    }
    const element = this.pool.alloc(wait);
    this.stats.allocs++;
    if (wait) this.stats.waitingAllocs++;
    if (element === 0) {
      Atomics.add(this.control, TOKENS, 1);
      this.stats.allocNulls++;
      if (wait) throw new Error('alloc(wait) returned null, which only alloc(nowait) may');
      return;
    }
    this.ledger.handedOut(element, this.self);
    this.held.push(element);
  }

  private free(pick: number): void {
    const [element] = this.held.splice(pick % this.held.length, 1);
    // Recorded first: once freed, another worker may be handed the element at once.
    this.ledger.returning(element, this.self);
    this.pool.free(element);
    Atomics.add(this.control, TOKENS, 1);
    this.stats.frees++;
  }

  private send(offset: number, pick: number): void {
    const to = (this.self + offset) % this.m.workers;
    const slot = mailbox(this.m.workers, this.self, to);
    if (this.held.length === 0 || to === this.self || Atomics.load(this.control, slot) !== 0) {
      this.stats.skipped++;
      return;
    }
    const [element] = this.held.splice(pick % this.held.length, 1);
    this.ledger.transfer(element, this.self, to);
    Atomics.store(this.control, slot, element);
    this.stats.sent++;
  }

  private receive(): void {
    for (let from = 0; from < this.m.workers; from++) {
      if (from === this.self) continue;
      const element = Atomics.exchange(this.control, mailbox(this.m.workers, from, this.self), 0);
      if (element === 0) continue;
      this.held.push(element);
      this.stats.received++;
    }
  }

  /**
   * Waits until `count` workers arrived. It spins first, so that the workers leave together
   * (a thread woken from Atomics.wait starts a good while after the one that woke it), and
   * sleeps only if the others are slow to come.
   */
  private barrier(word: number, count: number): void {
    Atomics.store(watch, currentStep(this.self), STEP_BARRIER);
    Atomics.add(this.control, word, 1);
    Atomics.notify(this.control, word);
    const spinUntil = performance.now() + SPIN_MS;
    for (let spins = 0; ; spins++) {
      const arrived = Atomics.load(this.control, word);
      if (arrived >= count) return;
      if (spins % 1024 !== 0) continue;
      this.beat();
      if (performance.now() > spinUntil) Atomics.wait(this.control, word, arrived, 5);
    }
  }

  private beat(): void {
    Atomics.add(watch, heartbeat(this.self), 1);
  }
}

/** How long a worker spins at the start barrier before it sleeps (ms). */
const SPIN_MS = 20;

function takeToken(control: Int32Array): boolean {
  for (;;) {
    const tokens = Atomics.load(control, TOKENS);
    if (tokens <= 0) return false;
    if (Atomics.compareExchange(control, TOKENS, tokens, tokens - 1) === tokens) return true;
  }
}
