/**
 * A scenario's state as its litmus test sees it: the C identifiers of the shared variables
 * and locks, the values they start from, and the `exists` clause the outcome becomes.
 */

import type { Outcome, Scenario, SpecIR } from '../ir.ts';
import { callOp, initialState } from '../interp/sequential.ts';
import type { LCond } from './types.ts';

/**
 * The ghost that counts elements handed out and not taken back (the commit's `#allocated`).
 * A scenario's `start` sets it to say how many elements its threads hold at the start.
 */
export const HANDED_OUT_GHOST = 'allocated';

/** Litmus identifiers for the spec's names in one scenario. Unknown names throw. */
export interface LitmusNames {
  /** A pool variable (`curr_nr`). */
  poolVar(name: string): string;
  /** A client-level shared variable of the scenario (`p`). */
  clientVar(name: string): string;
  lock(name: string): string;
  /** The variable counting the threads on a wait queue (`pool.wait` -> `pool_wait`). */
  queue(name: string): string;
  /** The variable a `wake` that found a thread sets to 1 (`pool_wait_woken`). */
  woken(queue: string): string;
  /** The backing allocator's free capacity. */
  readonly backing: string;
  /** The backing allocator's own lock: real allocators synchronize internally. */
  readonly backingLock: string;
  /** Every identifier above. */
  readonly all: ReadonlySet<string>;
}

/** A C identifier for a spec name: `pool.wait` becomes `pool_wait`. */
export function cIdent(name: string): string {
  const ident = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(ident) ? `_${ident}` : ident;
}

/** The identifiers of `scenario`'s litmus tests; two spec names that print alike throw. */
export function litmusNames(ir: SpecIR, scenario: Scenario): LitmusNames {
  const owner = new Map<string, string>();
  const claim = (what: string, name: string): [string, string] => {
    const ident = cIdent(name);
    const earlier = owner.get(ident);
    if (earlier !== undefined) {
      throw new Error(`litmus: scenario ${scenario.name}: ${earlier} and ${what} are both '${ident}'`);
    }
    owner.set(ident, what);
    return [name, ident];
  };
  const table = (what: string, names: string[]): Map<string, string> =>
    new Map(names.map((name) => claim(`${what} ${name}`, name)));
  const pool = table('variable', ir.state.vars.map((v) => v.name));
  const client = table('shared variable', scenario.shared.map((v) => v.name));
  const locks = table('lock', ir.state.locks.map((l) => l.name));
  const queues = table('wait queue', ir.state.queues.map((q) => q.name));
  const woken = table('woken flag', ir.state.queues.map((q) => `${q.name}_woken`));
  const [, backing] = claim('the backing allocator', 'backing');
  const [, backingLock] = claim("the backing allocator's lock", 'backing_lock');

  const lookup = (map: Map<string, string>, what: string) => (name: string): string => {
    const ident = map.get(name);
    if (ident === undefined) throw new Error(`litmus: scenario ${scenario.name}: no ${what} ${name}`);
    return ident;
  };
  return {
    poolVar: lookup(pool, 'pool variable'),
    clientVar: lookup(client, 'shared variable'),
    lock: lookup(locks, 'lock'),
    queue: lookup(queues, 'wait queue'),
    woken: (queue) => lookup(woken, 'wait queue')(`${queue}_woken`),
    backing,
    backingLock,
    all: new Set(owner.keys()),
  };
}

/** Where a scenario starts. */
export interface ScenarioStart {
  /** Initial value of every variable a test of the scenario may use, by litmus name. */
  init: Map<string, number>;
  /** Elements the scenario's threads hold at the start. */
  handedOut: number;
}

/**
 * The initial value of every variable a test of `scenario` may use: the pool as `create`
 * leaves it for the scenario's params, then the scenario's `start` overrides; wait queues
 * empty; the backing allocator's free capacity; the client's shared variables.
 *
 * The spec's `capacity` counts what the backing allocator can hand out once `create` has
 * filled the reserve, so `create` runs here with an unlimited allocator, and the capacity
 * drops by the elements the start state has out beyond the ones `create` made: the reserve
 * (`curr_nr`) plus the elements handed out (`start` of `allocated`, or else the ones missing
 * from the reserve).
 */
export function scenarioStart(ir: SpecIR, scenario: Scenario, names: LitmusNames):
  ScenarioStart {
  const where = `litmus: scenario ${scenario.name}`;
  const model = initialState(ir, scenario.params);
  model.backing.capacity = Number.POSITIVE_INFINITY;
  const create = ir.ops.find((op) => op.name === 'create');
  if (create) {
    const args = Object.fromEntries(create.params.map((p) => [p.name, scenario.params[p.name]]));
    const reply = callOp(ir, model, create.name, args);
    if (reply.status !== 'returned' || reply.value === false || reply.value === null) {
      throw new Error(`${where}: create does not succeed for params ${JSON.stringify(scenario.params)}`);
    }
  }

  const count = ir.state.reserve.count;
  const created = model.vars[count];
  for (const [name, value] of Object.entries(scenario.start)) {
    if (name in model.vars) model.vars[name] = value;
    else if (!ir.state.ghosts.some((g) => g.name === name)) {
      throw new Error(`${where}: start sets ${name}, which is neither a pool variable nor a ghost`);
    }
  }
  const handedOut = scenario.start[HANDED_OUT_GHOST] ?? Math.max(0, created - model.vars[count]);
  const extra = Math.max(0, model.vars[count] + handedOut - created);
  const capacity = (scenario.params[ir.state.backing.capacityParam] ?? 0) - extra;
  if (capacity < 0) {
    throw new Error(`${where}: its start state holds ${extra} element(s) more than create made ` +
      `and the backing allocator's capacity allows`);
  }

  const init = new Map<string, number>();
  for (const v of ir.state.vars) init.set(names.poolVar(v.name), model.vars[v.name]);
  for (const q of ir.state.queues) {
    init.set(names.queue(q.name), 0);
    init.set(names.woken(q.name), 0);
  }
  init.set(names.backing, capacity);
  for (const v of scenario.shared) init.set(names.clientVar(v.name), v.init);
  return { init, handedOut };
}

/** The `exists` clause for a scenario's outcome. Ghosts are bookkeeping, not memory: refused. */
export function existsClause(scenario: Scenario, names: LitmusNames, ir: SpecIR): LCond {
  const convert = (o: Outcome): LCond => {
    switch (o.k) {
      case 'reg':
        return { k: 'reg', proc: o.thread, reg: o.reg, value: o.value };
      case 'var': {
        if (ir.state.ghosts.some((g) => g.name === o.var)) {
          throw new Error(`litmus: scenario ${scenario.name}: its outcome names ghost ${o.var}, ` +
            'which no litmus program holds; state it over pool variables or registers');
        }
        const isPool = ir.state.vars.some((v) => v.name === o.var);
        return { k: 'var', var: isPool ? names.poolVar(o.var) : names.clientVar(o.var),
          value: o.value };
      }
      case 'waiters':
        return { k: 'var', var: names.queue(o.queue), value: o.value };
      case 'woken':
        return { k: 'var', var: names.woken(o.queue), value: o.value };
      case 'and':
      case 'or':
        return { k: o.k, args: o.args.map(convert) };
      case 'not':
        return { k: 'not', arg: convert(o.arg) };
    }
  };
  return convert(scenario.outcome);
}

/** The registers the outcome names, per thread. */
export function outcomeRegs(scenario: Scenario): Map<number, string[]> {
  const regs = new Map<number, string[]>();
  const visit = (o: Outcome): void => {
    if (o.k === 'reg') {
      const list = regs.get(o.thread) ?? [];
      if (!list.includes(o.reg)) list.push(o.reg);
      regs.set(o.thread, list);
    } else if (o.k === 'and' || o.k === 'or') o.args.forEach(visit);
    else if (o.k === 'not') visit(o.arg);
  };
  visit(scenario.outcome);
  return regs;
}
