import type { Capabilities } from '../harness/contract.ts';

/**
 * What `mempool-spec validate` reports: one `DriverReport` per driver, each a verdict and,
 * when it is not `pass`, the failure that decided it. The CLI prints it as text or as one
 * JSON document; the generated suites built with `gen --impl` throw the same text.
 */

/**
 * A driver's verdict. Besides `pass`, each names a distinct way a pool goes wrong:
 * - `wrong-reply`: a call's reply or an inspected counter differs from the spec's model;
 * - `invariant`: an invariant of the spec is broken;
 * - `ownership`: an element handed out twice, or freed by a thread that does not hold it;
 * - `leak`: an element lost (neither in the pool, nor held, nor back in the allocator);
 * - `lost-wakeup`: an allocator sleeps although a retry would succeed, and no thread can
 *   run to wake it (the dangling waiter of the spec's liveness property);
 * - `hang`: no progress (every thread asleep without a timeout, or a watchdog fired);
 * - `endless-loop`: the pool's own code computes or spins without returning;
 * - `threw`: the pool's code threw an exception;
 * - `crashed`: a worker died (out of memory, process.exit, a native crash);
 * - `out-of-bounds`: a memory-interface pool touched a word outside its memory.
 */
export type Verdict =
  | 'pass'
  | 'wrong-reply'
  | 'invariant'
  | 'ownership'
  | 'leak'
  | 'lost-wakeup'
  | 'hang'
  | 'endless-loop'
  | 'threw'
  | 'crashed'
  | 'out-of-bounds';

/** Every verdict but `pass`, for tests and the JSON schema. */
export const FAILING_VERDICTS: readonly Verdict[] = [
  'wrong-reply', 'invariant', 'ownership', 'leak', 'lost-wakeup', 'hang', 'endless-loop',
  'threw', 'crashed', 'out-of-bounds',
];

/** The failure behind a verdict other than `pass`. */
export interface Failure {
  verdict: Verdict;
  /** What should have held: a property, an invariant, a reply. */
  property: string;
  expected: string;
  actual: string;
  /** The shortest failing sequence or interleaving, as numbered lines. */
  steps: string[];
  /** The options that replay exactly this failure (appended to `mempool-spec validate M`). */
  replay: string;
  /** Anything the reader should know about how far this was shrunk or replayed. */
  note?: string;
}

/** One driver's result. */
export interface DriverReport {
  /** `sequential`, `concurrent`, `deterministic`, `deterministic (weak memory)`. */
  driver: string;
  verdict: Verdict | 'skipped';
  /** What ran: commands, interleavings, workers. */
  ran: string;
  ms: number;
  /** When a failure was found: ms from the driver's start to the first failing run. */
  detectedMs?: number;
  /** What was skipped and why (capabilities the module declares it lacks). */
  skipped: string[];
  failure?: Failure;
}

/** The whole report of one `validate` run. */
export interface ValidationReport {
  module: string;
  spec: string;
  seed: number;
  drivers: DriverReport[];
  /** `pass` when every driver that ran passed; otherwise the first failing driver's verdict. */
  verdict: Verdict;
  ms: number;
}

/** The verdict of a whole run: the first failing driver's, or `pass`. */
export function overallVerdict(drivers: DriverReport[]): Verdict {
  for (const d of drivers) if (d.verdict !== 'pass' && d.verdict !== 'skipped') return d.verdict;
  return 'pass';
}

/** What a module's capabilities make the drivers leave out, one note each. */
export function skippedByCapabilities(c: Capabilities | undefined): string[] {
  const out: string[] = [];
  if (c?.resize === false) out.push('resize (the module declares resize: false)');
  if (c?.blocking === false) out.push('alloc(wait) (the module declares blocking: false)');
  return out;
}
