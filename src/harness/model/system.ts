import type { Op, SpecIR } from '../../ir.ts';
import {
  callOp, evalInvariants, initialState, inspect, type ModelState, type Reply, type Value,
} from '../../interp/sequential.ts';
import type {
  BackingAllocator, ImplementationModule, PoolUnderTest, SharedBackingUnderTest,
} from '../contract.ts';
import { LedgerViolation, OwnershipLedger } from '../ledger.ts';
import { TrackedBacking } from '../tracked-backing.ts';

/**
 * The two sides of a model-based run, the spec's sequential model and the pool under test,
 * and the comparison made after every command.
 */

/** The harness is the only client of the pool in a sequential run. */
export const CLIENT = 0;

/** The parameter names of the operations the commands call, checked against the spec. */
export interface OpBindings {
  allocMayWait: string;
  freeElement: string;
  resizeNewMinNr: string;
}

/** The model side. fast-check's `check` sees only this, so it holds what commands need. */
export interface ModelSide {
  ir: SpecIR;
  ops: OpBindings;
  params: Record<string, number>;
  state: ModelState;
  /** Model handles of the elements the harness holds, in the order they were handed out. */
  held: number[];
  created: boolean;
  /** Reserve slots the real pool was created with: resizes stay within them. */
  slots: number;
  /** Every command run so far with its outcome, for failure messages. */
  log: string[];
}

/** The pool under test, its backing allocator and the harness's ownership ledger. */
export interface RealSide {
  pool: PoolUnderTest | null;
  backing: SharedBackingUnderTest;
  budget: BudgetedBacking;
  ledger: OwnershipLedger;
  /** Real handles of the held elements, position for position with `ModelSide.held`. */
  held: number[];
  /** Told before every call into the pool, with the command log up to that call. */
  onCall?: (log: readonly string[]) => void;
}

/** Options of one run's setup. */
export interface SetupOptions {
  ir: SpecIR;
  ops: OpBindings;
  implementation: ImplementationModule;
  params: Record<string, number>;
  slots: number;
  sleepTimeoutMs: number;
  /** Backing allocations one command may make before it counts as not returning. */
  callBudget: number;
  /** See `RealSide.onCall`. */
  onCall?: (log: readonly string[]) => void;
}

/** Implementation and model disagree; the message says on what, and after which commands. */
export class ModelMismatch extends Error {
  constructor(
    readonly property: string,
    readonly expected: string,
    readonly actual: string,
    readonly commands: string[],
  ) {
    super(
      `${property}: the model says ${expected}, the implementation ${actual}\n` +
        `  after: ${commands.join('; ')}`,
    );
    this.name = 'ModelMismatch';
  }
}

/**
 * Finds the operations the commands call and their parameters, by position, so the harness
 * does not depend on how the spec names them. Throws if the spec lacks one.
 */
export function bindOps(ir: SpecIR): OpBindings {
  const param = (name: string, index: number, type: string): string => {
    const op: Op | undefined = ir.ops.find((o) => o.name === name);
    if (!op) throw new Error(`model-based tests: the spec has no operation '${name}'`);
    const p = op.params[index];
    if (!p || p.type !== type) {
      throw new Error(
        `model-based tests: ${name}'s parameter ${index + 1} must be of type ${type}`);
    }
    return p.name;
  };
  for (const name of ['create', 'destroy']) {
    if (!ir.ops.some((o) => o.name === name)) {
      throw new Error(`model-based tests: the spec has no operation '${name}'`);
    }
  }
  return {
    allocMayWait: param('alloc', 0, 'bool'),
    freeElement: param('free', 0, 'elem'),
    resizeNewMinNr: param('resize', 0, 'int'),
  };
}

/** A fresh model and a fresh pool, both created with `params`; their `create`s compared. */
export function setup(options: SetupOptions): { model: ModelSide; real: RealSide } {
  const { ir, implementation, params } = options;
  const state = initialState(ir, params);
  const model: ModelSide = {
    ir, ops: options.ops, params, state, held: [], created: false, slots: options.slots,
    log: [`create(${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ')})`],
  };
  const backing = implementation.SharedBacking.create(state.backing.capacity);
  // One run makes a few hundred backing allocations at most; the ledger has room to spare.
  const ledger = OwnershipLedger.create(4096);
  const budget = new BudgetedBacking(new TrackedBacking(backing, ledger), options.callBudget);
  const real: RealSide = { pool: null, backing, budget, ledger, held: [], onCall: options.onCall };

  const minNr = inspect(ir, state).minNr;
  const reply = returned(model, callOp(ir, state, 'create', {}), 'create');
  model.created = reply !== false && reply !== null;
  options.onCall?.(model.log);
  real.pool = guard(model, () => implementation.Mempool.create({
    minNr, backing: budget, slots: options.slots, sleepTimeoutMs: options.sleepTimeoutMs,
  }));
  // The step shows what the pool replied, as every later step does.
  model.log[0] += real.pool !== null ? ' -> pool' : ' -> null';
  if (model.created !== (real.pool !== null)) {
    throw new ModelMismatch('create', model.created ? 'a pool' : 'null (preallocation fails)',
      real.pool ? 'a pool' : 'null', model.log);
  }
  checkAgreement(model, real);
  return { model, real };
}

/**
 * Compares everything observable after a command: the counters `inspect()` reports, the
 * elements out of the backing allocator, the spec's invariants on the model, and the
 * ledger's count of elements in the pool against the reserve the pool reports.
 */
export function checkAgreement(model: ModelSide, real: RealSide): void {
  const fail = (property: string, expected: unknown, actual: unknown): never => {
    throw new ModelMismatch(property, String(expected), String(actual), model.log);
  };
  for (const inv of evalInvariants(model.ir, model.state)) {
    if (!inv.holds) fail(`invariant ${inv.name} on the model`, 'it holds', 'broke it');
  }
  const outModel = model.state.backing.out;
  const outReal = real.backing.inUse();
  if (outModel !== outReal) fail('elements out of the backing allocator', outModel, outReal);
  if (!model.created || !real.pool) return;

  const want = inspect(model.ir, model.state);
  const got = guard(model, () => real.pool!.inspect());
  for (const key of ['currNr', 'minNr', 'waiters'] as const) {
    if (want[key] !== got[key]) fail(`inspect().${key}`, want[key], got[key]);
  }
  const inPool = real.ledger.inPool();
  if (inPool !== got.currNr) {
    fail('elements the pool took and neither handed out nor gave back (ledger) vs currNr',
      `${inPool} (all in the reserve)`, `currNr ${got.currNr}`);
  }
}

/** The value of a reply that must have returned. */
export function returned(model: ModelSide, reply: Reply, what: string): Value {
  if (reply.status !== 'returned') {
    throw new ModelMismatch(`${what} on the model`, 'it returns', 'it blocks', model.log);
  }
  return reply.value;
}

/**
 * Runs a call on the implementation, turning what it throws (including ownership
 * violations the ledger detects inside it) into a mismatch that names the commands.
 */
export function guard<T>(model: ModelSide, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof ModelMismatch) throw error;
    if (error instanceof LedgerViolation) {
      throw new ModelMismatch('element ownership', 'every element has one owner',
        error.message, model.log);
    }
    if (error instanceof CallBudgetExceeded) {
      throw new ModelMismatch('progress', 'the call returns (the model does not block)',
        error.message, model.log);
    }
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ModelMismatch('no exception', 'the call returns', `throws ${text}`, model.log);
  }
}

/** Thrown from the backing allocator when one command calls it more often than it may. */
export class CallBudgetExceeded extends Error {
  constructor(calls: number) {
    super(`it called the backing allocator ${calls} times in one call and kept going ` +
      '(sleeping and retrying where the model returns)');
    this.name = 'CallBudgetExceeded';
  }
}

/**
 * The backing allocator with a per-command budget of `alloc` calls. The sequential suite
 * runs the pool on the test's own thread, where a pool that sleeps and retries for ever
 * would hang the run; its retries all go through the backing allocator, so a budget stops
 * it. (A pool that sleeps without a timeout cannot be stopped this way; the concurrent
 * suite's watchdog catches that.)
 */
export class BudgetedBacking implements BackingAllocator {
  private calls = 0;

  constructor(
    private readonly inner: BackingAllocator,
    private readonly limit: number,
  ) {}

  /** Starts a new command's budget. */
  reset(): void {
    this.calls = 0;
  }

  alloc(): number {
    if (++this.calls > this.limit) throw new CallBudgetExceeded(this.calls);
    return this.inner.alloc();
  }

  free(element: number): void {
    this.inner.free(element);
  }
}
