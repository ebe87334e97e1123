import type { Expr, Op, SpecIR, Stmt } from '../ir.ts';
import { callOp, evalExpr, initialState, type ModelState } from '../interp/sequential.ts';
import type { Inspection } from './contract.ts';

/**
 * The spec's invariants judged on a real pool, where only what `inspect()` reports and what
 * the harness's ownership ledger knows can be seen.
 *
 * A pool variable or ghost counts as known when it is reported (`curr_nr`, `min_nr`, the
 * wait queue's size), when the ledger knows it (`allocated`: elements clients hold), or when
 * none of the operations that ran can write it, so it still has the value `create` gave it
 * (e.g. `floor` in a run without `resize`). An invariant that names anything else cannot be
 * judged on a real pool and is reported as skipped.
 */

/** The ghost whose value is the number of elements clients hold (see the spec). */
export const ALLOCATED_GHOST = 'allocated';
/** The pool variable `inspect().minNr` reports. */
export const MIN_NR_VAR = 'min_nr';

/**
 * The range of `min_nr` a harness draws pools from: the range of the parameter `min_nr` is
 * initialised from, capped at `cap`, or `fallback` when it is initialised otherwise.
 */
export function minNrRange(ir: SpecIR, fallback: { min: number; max: number }, cap = Infinity):
  { min: number; max: number } {
  const init = ir.state.vars.find((v) => v.name === MIN_NR_VAR)?.init;
  const param = init?.k === 'param' ? ir.params.find((p) => p.name === init.name) : undefined;
  return param ? { min: param.min, max: Math.min(param.max, cap) } : fallback;
}

/**
 * Spec parameters describing a pool a harness made: every parameter at its largest, the
 * backing allocator's capacity parameter at `capacity`, and `min_nr`'s parameter at `minNr`.
 * `capacity` has the spec's meaning: what the backing allocator can still hand out once
 * create has filled the reserve, so a harness whose allocator hands out at most `limit`
 * elements passes `limit - minNr` (the model's allocator then has the same limit).
 */
export function poolParams(ir: SpecIR, minNr: number, capacity: number):
  Record<string, number> {
  const params = Object.fromEntries(ir.params.map((p) => [p.name, p.max]));
  params[ir.state.backing.capacityParam] = capacity;
  const init = ir.state.vars.find((v) => v.name === MIN_NR_VAR)?.init;
  if (init?.k === 'param') params[init.name] = minNr;
  return params;
}

/** An invariant's verdict on a real pool. */
export interface ObservedInvariant {
  name: string;
  verdict: 'holds' | 'broken' | 'skipped';
  /** For `skipped`: the names that are not observable. */
  unknown?: string[];
}

/** What is known of a real pool at a quiescent moment. */
export interface Observation {
  inspection: Inspection;
  /** Elements that clients hold, according to the ledger. */
  heldByClients: number;
}

/**
 * Judges every invariant of `ir` on an observation of a pool created with `params` that has
 * since run only the operations `opsRun` (by name).
 */
export function observedInvariants(
  ir: SpecIR,
  params: Record<string, number>,
  opsRun: string[],
  observation: Observation,
): ObservedInvariant[] {
  const state = stateAfterCreate(ir, params);
  const written = namesWrittenBy(ir, ir.ops.filter((op) => opsRun.includes(op.name)));
  const known = new Set<string>();

  const count = ir.state.reserve.count;
  state.vars[count] = observation.inspection.currNr;
  known.add(count);
  if (MIN_NR_VAR in state.vars) {
    state.vars[MIN_NR_VAR] = observation.inspection.minNr;
    known.add(MIN_NR_VAR);
  }
  if (ALLOCATED_GHOST in state.ghosts) {
    state.ghosts[ALLOCATED_GHOST] = observation.heldByClients;
    known.add(ALLOCATED_GHOST);
  }
  // inspect() reports one waiter count for the pool; it can stand for one queue only.
  if (ir.state.queues.length === 1) {
    state.waiters[ir.state.queues[0].name] = observation.inspection.waiters;
    known.add(`waiters(${ir.state.queues[0].name})`);
  }

  return ir.invariants.map((inv) => {
    const unknown = namesIn(inv.expr).filter((n) => written.has(n) && !known.has(n));
    if (unknown.length > 0) return { name: inv.name, verdict: 'skipped', unknown };
    return { name: inv.name, verdict: evalExpr(inv.expr, state, {}) === true ? 'holds' : 'broken' };
  });
}

/** The model's state right after a successful `create` with `params`. */
function stateAfterCreate(ir: SpecIR, params: Record<string, number>): ModelState {
  const state = initialState(ir, params);
  if (!ir.ops.some((op) => op.name === 'create')) return state;
  const reply = callOp(ir, state, 'create', {});
  if (reply.status !== 'returned' || reply.value === false || reply.value === null) {
    throw new Error(`the model's create fails with ${JSON.stringify(params)}: give the ` +
      'backing allocator more capacity');
  }
  return state;
}

/** The pool variables, ghosts and queues (as `waiters(q)`) that `ops` can change. */
function namesWrittenBy(ir: SpecIR, ops: Op[]): Set<string> {
  const out = new Set<string>();
  const walk = (stmts: Stmt[]): void => {
    for (const st of stmts) {
      if (st.k === 'write' || st.k === 'ghost') out.add(st.k === 'write' ? st.var : st.name);
      if (st.k === 'add_element' || st.k === 'remove_element') out.add(ir.state.reserve.count);
      if (st.k === 'enqueue' || st.k === 'dequeue') out.add(`waiters(${st.queue})`);
      if (st.k === 'if') {
        walk(st.then);
        walk(st.else);
      }
      if (st.k === 'loop') walk(st.body);
    }
  };
  for (const op of ops) walk(op.body);
  return out;
}

/** Every pool variable, ghost and queue size an expression mentions. */
function namesIn(e: Expr): string[] {
  switch (e.k) {
    case 'shared':
    case 'ghost':
      return [e.name];
    case 'waiters':
      return [`waiters(${e.queue})`];
    case 'not':
      return namesIn(e.arg);
    case 'bin':
      return [...namesIn(e.left), ...namesIn(e.right)];
    case 'call':
      return e.args.flatMap(namesIn);
    default:
      return [];
  }
}
