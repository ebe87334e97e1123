import type { TraceEvent } from './events.ts';
import type { Machine } from './machine.ts';
import { latestValue } from './memory.ts';
import { outCount, type State } from './state.ts';
import type { TokenTrouble } from './token.ts';

/**
 * Counterexample traces: a path of successor indexes replayed with recording on, turned into
 * numbered steps that say which thread did what, what each read returned and which write
 * that value came from, and what the pool looked like afterwards.
 */

/** One step of a trace. */
export interface TraceStep {
  /** 1-based. */
  index: number;
  /** Thread name (`T0`, or a scenario's thread name); `main` for destroy. */
  thread: string;
  threadIndex: number;
  /** What the step did, first the visible step, then what ran with it. */
  events: TraceEventOut[];
  /** The pool after the step: latest values of its variables, ghosts, reserve, waiters. */
  after: Record<string, number | number[]>;
}

/** A trace event with its read's source resolved to a step. */
export interface TraceEventOut extends TraceEvent {
  /** For a read: the step whose write it returned (0 = the initial state). */
  from?: number;
  /** For a read: it returned an older value than the newest one (`stale`). */
  stale?: boolean;
  /** For a stale read: the newest value at the time, and the step that wrote it. */
  newest?: { value: number; step: number };
}

/** Raised when a path does not fit the machine (a replay token for another spec or bound). */
export class ReplayError extends Error {
  constructor(message: string, readonly about: TokenTrouble = 'token') {
    super(message);
    this.name = 'ReplayError';
  }
}

/** Replays `path` from `initial` and returns its steps and the final state. */
export function replay(machine: Machine, initial: State, path: readonly number[],
  threadNames: readonly string[]): { steps: TraceStep[]; final: State } {
  const writers = new Map<string, number>();
  const values = new Map<string, number>();
  const steps: TraceStep[] = [];
  let state = initial;
  path.forEach((choice, i) => {
    const { successors } = machine.expand(state, true);
    const succ = successors[choice];
    if (succ === undefined) {
      throw new ReplayError(`step ${i + 1}: choice ${choice} of ${successors.length} ` +
        'does not exist');
    }
    const index = i + 1;
    const events = (succ.events ?? []).map((e): TraceEventOut => {
      if (e.wrote) {
        writers.set(`${e.wrote.var}@${e.wrote.timestamp}`, index);
        values.set(`${e.wrote.var}@${e.wrote.timestamp}`, e.wrote.value);
      }
      if (!e.read) return e;
      const from = writers.get(`${e.read.var}@${e.read.timestamp}`) ?? 0;
      if (e.read.timestamp === e.read.latest) return { ...e, from };
      const newestKey = `${e.read.var}@${e.read.latest}`;
      return { ...e, from, stale: true,
        newest: { value: values.get(newestKey) ?? e.read.value,
          step: writers.get(newestKey) ?? 0 } };
    });
    state = succ.state;
    steps.push({
      index,
      thread: succ.thread < 0 ? 'main' : threadNames[succ.thread] ?? `T${succ.thread}`,
      threadIndex: succ.thread,
      events,
      after: poolSummary(machine, state),
    });
  });
  return { steps, final: state };
}

/** The pool's latest values, ghosts, reserve and waiters: what a trace shows after a step. */
export function poolSummary(machine: Machine, s: State): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  s.mem.layout.vars.forEach((v, x) => {
    out[v.name] = latestValue(s.mem, x);
  });
  machine.ir.state.ghosts.forEach((g, i) => {
    out[g.name] = s.ghosts[i];
  });
  out.reserve = s.reserve.slice();
  out.backing_out = outCount(s.out);
  machine.ir.state.queues.forEach((q, i) => {
    out[`waiters(${q.name})`] = s.threads.filter((th) => th.queue === i).length;
  });
  return out;
}
