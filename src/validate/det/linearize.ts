import type { SpecIR } from '../../ir.ts';
import {
  callOp, cloneState, initialState, setBackingFailing, type ModelState,
} from '../../interp/sequential.ts';
import { bindOps } from '../../harness/model/system.ts';
import type { HistoryOp } from './scheduler.ts';
import { Step } from './protocol.ts';

/**
 * Whether a history of one deterministic run can be explained by the spec's sequential
 * model: some order of the operations, consistent with real time (an operation that ended
 * before another began comes first), in which every reply is the model's (`alloc`: null or
 * an element; `resize`: its return value). This is what catches a stale read whose effect
 * shows only later, for example a free that sent its element to the backing allocator
 * although the reserve was short, and an `alloc(nowait)` that afterwards finds the reserve
 * empty where the model refilled it.
 *
 * The search is a depth-first walk over orders with memoised (done-set, model) pairs. It
 * gives up, and says so (`undecided`), past `nodeLimit` nodes.
 */
export type Linearization =
  | { verdict: 'ok' }
  | { verdict: 'undecided' }
  | { verdict: 'none'; longest: string[]; stuck: string[] };

export function linearize(ir: SpecIR, params: Record<string, number>, history: HistoryOp[],
  nodeLimit = 50_000): Linearization {
  const ops = bindOps(ir);
  const start = initialState(ir, params);
  const created = callOp(ir, start, 'create', {});
  if (created.status !== 'returned') return { verdict: 'none', longest: [], stuck: ['create'] };
  const n = history.length;
  if (n > 30) return { verdict: 'undecided' };
  const before = history.map((op) => history.map((p, j) => p.end < op.start ? j : -1)
    .filter((j) => j >= 0));
  const seen = new Set<string>();
  let nodes = 0;
  let longest: number[] = [];
  const order: number[] = [];

  const apply = (op: HistoryOp, model: ModelState, map: Map<number, number>):
    { model: ModelState; map: Map<number, number> } | null => {
    const m = cloneState(model);
    switch (op.kind) {
      case Step.alloc: {
        const r = callOp(ir, m, 'alloc', { [ops.allocMayWait]: op.arg === 1 });
        if (r.status !== 'returned') return null;
        if ((r.value === null) !== (op.reply === 0)) return null;
        if (op.reply === 0) return { model: m, map };
        const next = new Map(map);
        next.set(op.reply, r.value as number);
        return { model: m, map: next };
      }
      case Step.free: {
        const handle = map.get(op.element);
        if (handle === undefined) return null;
        const r = callOp(ir, m, 'free', { [ops.freeElement]: handle });
        if (r.status !== 'returned') return null;
        const next = new Map(map);
        next.delete(op.element);
        return { model: m, map: next };
      }
      case Step.freeNull:
        return callOp(ir, m, 'free', { [ops.freeElement]: null }).status === 'returned'
          ? { model: m, map } : null;
      case Step.resize: {
        const r = callOp(ir, m, 'resize', { [ops.resizeNewMinNr]: op.arg });
        if (r.status !== 'returned' || Number(r.value ?? 0) !== op.reply) return null;
        return { model: m, map };
      }
      case Step.failing:
        setBackingFailing(m, op.arg === 1);
        return { model: m, map };
      default:
        return { model: m, map };
    }
  };

  const walk = (done: bigint, model: ModelState, map: Map<number, number>): boolean | null => {
    if (order.length === n) return true;
    if (++nodes > nodeLimit) return null;
    const key = `${done}|${JSON.stringify(model)}|${[...map].join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (order.length > longest.length) longest = [...order];
    for (let i = 0; i < n; i++) {
      if (done & (1n << BigInt(i))) continue;
      if (!before[i].every((j) => done & (1n << BigInt(j)))) continue;
      const next = apply(history[i], model, map);
      if (!next) continue;
      order.push(i);
      const found = walk(done | (1n << BigInt(i)), next.model, next.map);
      order.pop();
      if (found !== false) return found;
    }
    return false;
  };
  const found = walk(0n, created.status === 'returned' ? start : start, new Map());
  if (found === null) return { verdict: 'undecided' };
  if (found) return { verdict: 'ok' };
  const done = new Set(longest);
  return {
    verdict: 'none',
    longest: longest.map((i) => label(history[i])),
    stuck: history.map((op, i) => (done.has(i) ? null : label(op)))
      .filter((x): x is string => x !== null),
  };
}

function label(op: HistoryOp): string {
  const what = op.kind === Step.alloc ? (op.arg === 1 ? 'alloc(wait)' : 'alloc(nowait)')
    : op.kind === Step.free ? `free(e${op.element})`
    : op.kind === Step.freeNull ? 'free(null)'
    : op.kind === Step.resize ? `resize(${op.arg})`
    : op.kind === Step.failing ? `backing.setFailing(${op.arg === 1})` : `step ${op.kind}`;
  const reply = op.kind === Step.alloc ? (op.reply === 0 ? ' -> null' : ` -> e${op.reply}`)
    : op.kind === Step.resize ? ` -> ${op.reply}` : '';
  return `T${op.thread} ${what}${reply}`;
}
