import type { Stmt } from '../ir.ts';

/**
 * What one step did, as a trace shows it. The search records nothing; a replay of a
 * counterexample records these for every step it takes.
 */
export interface TraceEvent {
  /** The thread (0-based); -1 for a step of create or destroy, run alone. */
  thread: number;
  /** The IR statement kind, or `call`, `return`, `timeout`, `stop`, `client-read`, ... */
  kind: string;
  /** The operation the step belongs to. */
  op?: string;
  label?: string;
  /** The spec line of the step. */
  line?: number;
  /** The step as the spec would write it, with the values involved. */
  text: string;
  /** A read: the value, its message and the newest message of that variable at the time. */
  read?: { var: string; value: number; timestamp: number; latest: number };
  /** A write: the new message. */
  wrote?: { var: string; value: number; timestamp: number };
}

/** The text of a step whose detail the machine does not fill in itself. */
export function describe(st: Stmt): string {
  switch (st.k) {
    case 'lock':
      return `lock ${st.lock}`;
    case 'unlock':
      return `unlock ${st.lock}`;
    case 'fence':
      return st.fence;
    case 'enqueue':
    case 'dequeue':
    case 'sleep':
    case 'wake':
      return `${st.k} ${st.queue}`;
    case 'let':
      return `${st.name} = …`;
    default:
      return st.k;
  }
}
