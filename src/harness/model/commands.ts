import fc from 'fast-check';
import {
  callOp, cloneState, setBackingFailing, type Value,
} from '../../interp/sequential.ts';
import type { Capabilities } from '../contract.ts';
import {
  checkAgreement, CLIENT, guard, ModelMismatch, returned, type ModelSide, type RealSide,
} from './system.ts';

/**
 * The commands of the model-based suite, one per thing a client (or the environment) can
 * do to a pool. Each runs the spec's sequential model and the pool under test side by side,
 * compares the replies, then compares everything observable (`checkAgreement`).
 *
 * Commands keep no state of their own, so fast-check may reuse them across runs.
 */
export type PoolCommand = fc.Command<ModelSide, RealSide>;

/** `alloc(mayWait)`. A waiting alloc runs only where the model says it returns. */
export class AllocCommand implements PoolCommand {
  constructor(readonly mayWait: boolean) {}

  check(m: Readonly<ModelSide>): boolean {
    if (!m.created) return false;
    if (!this.mayWait) return true;
    // Run alone, a waiting alloc that sleeps is never woken: try it on a copy first.
    const trial = cloneState(m.state);
    return callOp(m.ir, trial, 'alloc', { [m.ops.allocMayWait]: true }).status === 'returned';
  }

  run(m: ModelSide, r: RealSide): void {
    m.log.push(this.toString());
    const want = returned(m, callOp(m.ir, m.state, 'alloc', { [m.ops.allocMayWait]: this.mayWait }),
      'alloc');
    beginCall(m, r);
    const got = guard(m, () => r.pool!.alloc(this.mayWait));
    if (!Number.isSafeInteger(got) || got < 0) {
      m.log[m.log.length - 1] += ` -> ${describeReply(got)}`;
      throw new ModelMismatch('alloc reply', 'an element handle (a positive integer) or 0',
        describeReply(got), m.log);
    }
    m.log[m.log.length - 1] += ` -> ${got === 0 ? 'null' : `element ${got}`}`;
    if ((want === null) !== (got === 0)) {
      throw new ModelMismatch('alloc reply', want === null ? 'null' : 'an element',
        got === 0 ? 'null' : `element ${got}`, m.log);
    }
    if (got !== 0) {
      guard(m, () => r.ledger.handedOut(got, CLIENT));
      m.held.push(modelElement(m, want));
      r.held.push(got);
    }
    checkAgreement(m, r);
  }

  toString(): string {
    return this.mayWait ? 'alloc(wait)' : 'alloc(nowait)';
  }
}

/** `free` of the held element at `pick` (modulo how many are held). */
export class FreeCommand implements PoolCommand {
  constructor(readonly pick: number) {}

  check(m: Readonly<ModelSide>): boolean {
    return m.created && m.held.length > 0;
  }

  run(m: ModelSide, r: RealSide): void {
    const i = this.pick % m.held.length;
    const [element] = r.held.splice(i, 1);
    const [modelHandle] = m.held.splice(i, 1);
    m.log.push(`free(element ${element})`);
    returned(m, callOp(m.ir, m.state, 'free', { [m.ops.freeElement]: modelHandle }), 'free');
    // Recorded before the call: inside it the pool may pass the element on.
    guard(m, () => r.ledger.returning(element, CLIENT));
    beginCall(m, r);
    guard(m, () => r.pool!.free(element));
    checkAgreement(m, r);
  }

  toString(): string {
    return `free(held[${this.pick}])`;
  }
}

/** `free(null)`, which must do nothing. */
export class FreeNullCommand implements PoolCommand {
  check(m: Readonly<ModelSide>): boolean {
    return m.created;
  }

  run(m: ModelSide, r: RealSide): void {
    m.log.push(this.toString());
    returned(m, callOp(m.ir, m.state, 'free', { [m.ops.freeElement]: null }), 'free');
    beginCall(m, r);
    guard(m, () => r.pool!.free(0));
    checkAgreement(m, r);
  }

  toString(): string {
    return 'free(null)';
  }
}

/** `resize(newMinNr)`, within the slots the pool was created with. */
export class ResizeCommand implements PoolCommand {
  constructor(readonly newMinNr: number) {}

  check(m: Readonly<ModelSide>): boolean {
    return m.created && this.newMinNr >= 1 && this.newMinNr <= m.slots;
  }

  run(m: ModelSide, r: RealSide): void {
    m.log.push(this.toString());
    const want = returned(m, callOp(m.ir, m.state, 'resize',
      { [m.ops.resizeNewMinNr]: this.newMinNr }), 'resize');
    beginCall(m, r);
    const got = guard(m, () => r.pool!.resize(this.newMinNr));
    m.log[m.log.length - 1] += ` -> ${got}`;
    if (want !== got) throw new ModelMismatch('resize return', String(want), String(got), m.log);
    checkAgreement(m, r);
  }

  toString(): string {
    return `resize(${this.newMinNr})`;
  }
}

/** The backing allocator starts (`on`) or stops failing every allocation. */
export class BackingFailingCommand implements PoolCommand {
  constructor(readonly on: boolean) {}

  check(m: Readonly<ModelSide>): boolean {
    return m.created && m.state.backing.failing !== this.on;
  }

  run(m: ModelSide, r: RealSide): void {
    m.log.push(this.toString());
    setBackingFailing(m.state, this.on);
    r.backing.setFailing(this.on);
    checkAgreement(m, r);
  }

  toString(): string {
    return `backing.setFailing(${this.on})`;
  }
}

/**
 * Every command, as arbitraries for `fc.commands`; resizes range over `1..slots`. A pool
 * that declares it cannot resize, or cannot block, gets no resize or no `alloc(wait)`.
 */
export function commandArbitraries(slots: number,
  capabilities: Capabilities = {}): fc.Arbitrary<PoolCommand>[] {
  return [
    fc.constant(new AllocCommand(false)),
    ...(capabilities.blocking === false ? [] : [fc.constant(new AllocCommand(true))]),
    fc.nat({ max: 15 }).map((pick) => new FreeCommand(pick)),
    fc.constant(new FreeNullCommand()),
    ...(capabilities.resize === false ? []
      : [fc.integer({ min: 1, max: slots }).map((n) => new ResizeCommand(n))]),
    fc.boolean().map((on) => new BackingFailingCommand(on)),
  ];
}

/**
 * After the commands: give every held element back, destroy both pools, and check that
 * the backing allocator got everything back on both sides.
 */
export function teardown(m: ModelSide, r: RealSide): void {
  if (!m.created || !r.pool) return;
  while (m.held.length > 0) new FreeCommand(0).run(m, r);
  m.log.push('destroy()');
  returned(m, callOp(m.ir, m.state, 'destroy', {}), 'destroy');
  beginCall(m, r);
  guard(m, () => r.pool!.destroy());
  const outModel = m.state.backing.out;
  const outReal = r.backing.inUse();
  if (outModel !== outReal) {
    throw new ModelMismatch('elements out of the backing allocator after destroy',
      String(outModel), String(outReal), m.log);
  }
  const inPool = r.ledger.inPool();
  if (inPool !== 0) {
    throw new ModelMismatch('elements still in the pool after destroy (ledger)', '0',
      String(inPool), m.log);
  }
}

/** Before each call into the pool: a fresh call budget, and the observer told. */
function beginCall(m: ModelSide, r: RealSide): void {
  r.budget.reset();
  r.onCall?.(m.log);
}

function modelElement(m: ModelSide, value: Value): number {
  if (typeof value !== 'number') {
    throw new ModelMismatch('model alloc reply', 'an element handle', String(value), m.log);
  }
  return value;
}

/**
 * A reply that is not what the contract allows, as a report shows it: JSON where it has one,
 * but a Promise (an `async` method) by name, since it prints as `{}`.
 */
export function describeReply(value: unknown): string {
  if (typeof value === 'object' && value !== null &&
    typeof (value as { then?: unknown }).then === 'function') {
    return 'a Promise (the method is async; the contract wants a number, returned at once)';
  }
  return JSON.stringify(value) ?? String(value);
}
