import type { ResourceLimits } from 'node:worker_threads';
import fc from 'fast-check';
import type { SpecIR } from '../../ir.ts';
import type {
  ImplementationModule, PoolUnderTest, SharedBackingUnderTest,
} from '../contract.ts';
import { describeViolation, OwnershipLedger } from '../ledger.ts';
import {
  minNrRange, observedInvariants, poolParams, type ObservedInvariant,
} from '../observe.ts';
import { replayHint, type RunSettings } from '../settings.ts';
import { TrackedBacking } from '../tracked-backing.ts';
import { Crew, type CrewEvent } from './crew.ts';
import { describeProgram, describeStep, roundArbitrary, type Round } from './program.ts';
import {
  controlWords, currentStep, STEP_BARRIER, TOKENS, watchWords, type WorkerStats,
} from './shared.ts';

/** What the concurrent suite needs. */
export interface ConcurrentOptions {
  ir: SpecIR;
  /** URL of the module every worker loads (see `ImplementationModule`). */
  implementation: string;
  /** `runs` is the number of rounds. */
  settings: RunSettings;
  /** Workers sharing the pool. Default 3. */
  workers?: number;
  /** Steps per program at most. Default 40. */
  steps?: number;
  /** The pool's sleep timeout in this suite (ms). Default 2. */
  sleepTimeoutMs?: number;
  /** How long a worker may go without a heartbeat before it counts as hung. Default 5000. */
  stallMs?: number;
  /** How long a worker may take to load. Default 20000. */
  startupMs?: number;
  /** Each worker repeats its program until this long (ms) has passed. Default 10. */
  roundMs?: number;
  /** Rounds to run instead of generated ones (for replaying a report). */
  rounds?: Round[];
  /** Heap limits of each worker (validate runs a user's code under them). */
  resourceLimits?: ResourceLimits;
  /** The implementation is TypeScript: workers start through tsx even from `dist/`. */
  typescript?: boolean;
  /** Told after every round (a heartbeat). */
  onRound?: (round: number) => void;
}

/** How a concurrent run ended. Every worker has exited by the time it is returned. */
export type ConcurrentResult =
  | { verdict: 'pass'; rounds: number; stats: WorkerStats; invariants: ObservedInvariant[];
      exited: number }
  | { verdict: 'fail'; round: number; kind: FailKind; reason: string; programs: Round | null;
      exited: number }
  | { verdict: 'hang'; round: number; worker: number; step: string; silentMs: number;
      programs: Round | null; exited: number };

/**
 * What kind of failure a `fail` is: a handle held twice or freed by a non-holder
 * (`ownership`), an element gone missing (`leak`), a counter or reply that cannot be right
 * (`wrong-reply`), a broken invariant, an exception from the pool (`threw`), or a worker that
 * died (`crashed`).
 */
export type FailKind = 'ownership' | 'leak' | 'wrong-reply' | 'invariant' | 'threw' | 'crashed';

interface Problem {
  kind: FailKind;
  reason: string;
}

/** The worker entry next to this module: `.ts` in the sources, `.js` in the built package. */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js',
  import.meta.url);

/** The rounds a run with `settings` makes, drawn by fast-check from the seed. */
export function generateRounds(ir: SpecIR, settings: RunSettings, workers: number,
  steps: number): Round[] {
  const range = minNrRange(ir, { min: 1, max: 4 });
  return fc.sample(roundArbitrary(workers, steps, range), {
    seed: settings.seed, numRuns: settings.runs,
  });
}

/**
 * Runs rounds of programs on real workers sharing one pool per round, and judges the end of
 * each round: nothing lost, nothing handed out twice, the invariants on what `inspect()`
 * shows. Never throws for a pool's fault and never hangs: a worker that stops making
 * progress ends the run with the verdict `hang`.
 */
export async function runConcurrent(options: ConcurrentOptions): Promise<ConcurrentResult> {
  const workers = options.workers ?? 3;
  const rounds = options.rounds ??
    generateRounds(options.ir, options.settings, workers, options.steps ?? 40);
  const impl = (await import(options.implementation)) as ImplementationModule;
  const watch = new Int32Array(new SharedArrayBuffer(watchWords(workers) * 4));
  const crew = new Crew(WORKER_ENTRY, workers, {
    implementation: options.implementation, watch: watch.buffer,
  }, watch, options.resourceLimits, options.typescript);
  const run = new Run(options, impl, crew, watch);
  let result: ConcurrentResult;
  try {
    result = await run.all(rounds);
  } finally {
    const codes = await crew.shutdown();
    result ??= { verdict: 'fail', round: -1, kind: 'crashed', reason: 'the run was interrupted',
      programs: null, exited: 0 };
    result.exited = codes.length;
  }
  return result;
}

/** A multi-line report of a result: the verdict, why, and the programs that caused it. */
export function formatConcurrentResult(result: ConcurrentResult, settings?: RunSettings,
  testFile?: string): string {
  if (result.verdict === 'pass') {
    const skipped = result.invariants.filter((i) => i.verdict === 'skipped');
    return `pass: ${result.rounds} round(s); ${JSON.stringify(result.stats)}` +
      (skipped.length ? `; not observable: ${skipped.map((i) => i.name).join(', ')}` : '');
  }
  const lines = result.verdict === 'hang'
    ? [`hang in round ${result.round}: worker ${result.worker} made no progress for ` +
        `${result.silentMs} ms in ${result.step}; every worker was terminated`]
    : [`fail in round ${result.round}: ${result.reason}`];
  if (result.programs) {
    lines.push(`min_nr ${result.programs.minNr}, ${result.programs.perWorker} element(s) ` +
      'per worker at most');
    result.programs.programs.forEach((p, k) => lines.push(`worker ${k}:`, describeProgram(p)));
  }
  if (settings) {
    // The seed fixes the programs, not how the workers interleave: a replay may pass.
    lines.push(`Replay (same programs, fresh interleaving): ` +
      replayHint(settings, testFile ?? '<this test file>'));
  }
  return lines.join('\n');
}

/** Throws with the formatted report unless the run passed. */
export function assertConcurrentPass(result: ConcurrentResult, settings?: RunSettings,
  testFile?: string): void {
  if (result.verdict === 'pass') return;
  throw new Error(formatConcurrentResult(result, settings, testFile));
}

class Run {
  private readonly stats: WorkerStats = {
    passes: 0, allocs: 0, allocNulls: 0, waitingAllocs: 0, frees: 0, sent: 0, received: 0,
    skipped: 0,
  };

  constructor(
    private readonly options: ConcurrentOptions,
    private readonly impl: ImplementationModule,
    private readonly crew: Crew,
    private readonly watch: Int32Array,
  ) {}

  async all(rounds: Round[]): Promise<ConcurrentResult> {
    const startup = await this.startup();
    if (startup) return startup;
    let invariants: ObservedInvariant[] = [];
    for (let r = 0; r < rounds.length; r++) {
      const outcome = await this.round(r, rounds[r]);
      if ('verdict' in outcome) return outcome;
      invariants = outcome.invariants;
      this.options.onRound?.(r);
    }
    return { verdict: 'pass', rounds: rounds.length, stats: this.stats, invariants, exited: 0 };
  }

  private async startup(): Promise<ConcurrentResult | null> {
    const budget = this.options.startupMs ?? 20_000;
    for (let k = 0; k < this.crew.size; k++) this.crew.watchdog.arm(k, budget);
    for (let ready = 0; ready < this.crew.size;) {
      const event = await this.crew.next();
      if (event.kind === 'reply' && event.reply.type === 'ready') {
        this.crew.watchdog.disarm(event.worker);
        ready++;
      } else {
        return this.unexpected(event, -1, null, 'while loading');
      }
    }
    return null;
  }

  private async round(index: number, round: Round): Promise<ConcurrentResult |
    { invariants: ObservedInvariant[] }> {
    const workers = this.crew.size;
    const tokens = workers * round.perWorker;
    // In the spec, `capacity` is what the backing allocator can still hand out once create
    // has filled the reserve: the allocator's limit is min_nr + capacity. Here the capacity
    // is the tokens (see shared.ts), so every element clients may hold fits beside the reserve.
    const capacity = tokens;
    const limit = round.minNr + capacity;
    const ledger = OwnershipLedger.create();
    const backing = this.impl.SharedBacking.create(limit);
    const sleepTimeoutMs = this.options.sleepTimeoutMs ?? 2;
    const pool = this.impl.Mempool.create({
      minNr: round.minNr, backing: new TrackedBacking(backing, ledger), sleepTimeoutMs,
    });
    if (!pool) {
      return this.fail(index, round, 'wrong-reply', `create(min_nr ${round.minNr}) returned null with a ` +
        `backing allocator that can hand out ${limit} element(s)`);
    }
    const control = new Int32Array(new SharedArrayBuffer(controlWords(workers) * 4));
    control[TOKENS] = tokens;

    for (let k = 0; k < workers; k++) {
      this.crew.watchdog.arm(k, this.options.stallMs ?? 5000);
      this.crew.send(k, {
        type: 'round', round: index, workers, pool: pool.buffer, backing: backing.buffer,
        ledger: ledger.buffer, control: control.buffer, program: round.programs[k],
        sleepTimeoutMs, minMs: this.options.roundMs ?? 10,
      });
    }
    for (let finished = 0; finished < workers;) {
      const event = await this.crew.next();
      if (event.kind === 'reply' && event.reply.type === 'finished') {
        this.crew.watchdog.disarm(event.worker);
        addStats(this.stats, event.reply.stats);
        finished++;
      } else {
        // A worker's own report names its step; for anything else, the ledger may know why.
        const violation = ledger.violation();
        if (violation && !(event.kind === 'reply' && event.reply.type === 'failed')) {
          return this.fail(index, round, 'ownership', describeViolation(violation));
        }
        return this.unexpected(event, index, round, '');
      }
    }

    const problem = this.judge(ledger, backing, pool, round, capacity);
    if ('kind' in problem) return this.fail(index, round, problem.kind, problem.reason);
    return { invariants: problem };
  }

  /**
   * The end-of-round checks; a string says what broke. `capacity` is the spec's parameter
   * (what the backing allocator could hand out beyond the reserve), not the allocator's limit.
   */
  private judge(
    ledger: OwnershipLedger,
    backing: SharedBackingUnderTest,
    pool: PoolUnderTest,
    round: Round,
    capacity: number,
  ): Problem | ObservedInvariant[] {
    const violation = ledger.violation();
    if (violation) return { kind: 'ownership', reason: describeViolation(violation) };
    const held = ledger.census().clients;
    if (held.size > 0) {
      return { kind: 'leak', reason: 'elements still with clients after every worker gave ' +
        `everything back: ${[...held].map(([k, list]) => `worker ${k}: ${list.join(', ')}`)
          .join('; ')}` };
    }
    const seen = pool.inspect();
    const inPool = ledger.inPool();
    if (inPool !== seen.currNr) {
      return inPool > seen.currNr
        ? { kind: 'leak', reason: `${inPool - seen.currNr} element(s) lost: the pool took ` +
          `${inPool} from the backing ` +
          `allocator and kept them, but its reserve holds ${seen.currNr}` }
        : { kind: 'wrong-reply',
          reason: `curr_nr is ${seen.currNr} but the pool holds only ${inPool} element(s)` };
    }
    if (backing.inUse() !== inPool) {
      return { kind: 'leak', reason: `the backing allocator has ${backing.inUse()} element(s) ` +
        `out, the ledger ${inPool}` };
    }
    if (seen.waiters !== 0) {
      return { kind: 'wrong-reply',
        reason: `${seen.waiters} waiter(s) left on the wait queue at the end` };
    }

    const invariants = observedInvariants(this.options.ir,
      poolParams(this.options.ir, round.minNr, capacity),
      ['alloc', 'free'], { inspection: seen, heldByClients: 0 });
    const broken = invariants.filter((i) => i.verdict === 'broken');
    if (broken.length > 0) {
      return { kind: 'invariant', reason: `invariant(s) ${broken.map((i) => i.name).join(', ')} ` +
        'broken at the end: ' + JSON.stringify(seen) };
    }

    pool.destroy();
    if (backing.inUse() !== 0 || ledger.inPool() !== 0) {
      return { kind: 'leak', reason: `after destroy the backing allocator has ` +
        `${backing.inUse()} element(s) out ` +
        `and the ledger counts ${ledger.inPool()} in the pool` };
    }
    const after = ledger.violation();
    return after ? { kind: 'ownership', reason: describeViolation(after) } : invariants;
  }

  private unexpected(event: CrewEvent, index: number, round: Round | null,
    when: string): ConcurrentResult {
    const at = when ? ` ${when}` : '';
    switch (event.kind) {
      case 'stall': {
        const step = Atomics.load(this.watch, currentStep(event.worker));
        const program = round?.programs[event.worker];
        const where = step === STEP_BARRIER ? 'a barrier (waiting for the other workers)'
          : program && step >= 0 ? `step ${step}, ${describeStep(program[step])}`
          : `startup${at}`;
        return { verdict: 'hang', round: index, worker: event.worker, step: where,
          silentMs: event.silentMs, programs: round, exited: 0 };
      }
      case 'reply':
        if (event.reply.type === 'failed') {
          const program = round?.programs[event.worker];
          const step = event.reply.step;
          const where = program && step >= 0 ? ` at step ${step}, ${describeStep(program[step])}`
            : '';
          const kind = event.reply.message.startsWith('LedgerViolation') ? 'ownership' : 'threw';
          return this.fail(index, round, kind,
            `worker ${event.worker}${where}: ${event.reply.message}`);
        }
        return this.fail(index, round, 'crashed',
          `worker ${event.worker} sent '${event.reply.type}'${at}`);
      case 'error':
        return this.fail(index, round, 'crashed',
          `worker ${event.worker} crashed${at}: ${event.error.message}`);
      case 'exit':
        return this.fail(index, round, 'crashed',
          `worker ${event.worker} exited with code ${event.code}${at}`);
    }
  }

  private fail(round: number, programs: Round | null, kind: FailKind, reason: string):
    ConcurrentResult {
    return { verdict: 'fail', round, kind, reason, programs, exited: 0 };
  }
}

function addStats(sum: WorkerStats, add: WorkerStats): void {
  for (const key of Object.keys(sum) as (keyof WorkerStats)[]) sum[key] += add[key];
}
