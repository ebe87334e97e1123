/**
 * Litmus programs: the small, loop-free concurrent programs that the memory model judges and
 * that the generators print as kernel C litmus files and as JavaScript worker harnesses.
 *
 * One value of this type is the single source of a litmus test: the enumerator
 * (`enumerate.ts`) computes its verdict from it, the C printer (`c.ts`) prints it for herd7,
 * and the JS harness generator runs the same instructions on workers. A `Result:` line is
 * therefore always the verdict of the program that is printed, never a separate claim.
 */

/** How an access is performed. */
export type AccessMode =
  /** `READ_ONCE`/`WRITE_ONCE`: a marked access with no ordering of its own. */
  | 'once'
  /** `smp_load_acquire` (reads only). */
  | 'acquire'
  /** `smp_store_release` (writes only). */
  | 'release'
  /** A sequentially consistent access: what a JavaScript `Atomics` load/store is. */
  | 'sc';

export type LExpr =
  | { k: 'num'; value: number }
  | { k: 'reg'; name: string }
  | { k: 'bin'; op: '+' | '-' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '&&' | '||'; left: LExpr; right: LExpr }
  | { k: 'not'; arg: LExpr };

export type LInstr =
  | { k: 'read'; reg: string; var: string; mode: 'once' | 'acquire' | 'sc' }
  | { k: 'write'; var: string; expr: LExpr; mode: 'once' | 'release' | 'sc' }
  | { k: 'fence'; fence: 'wmb' | 'rmb' | 'mb' }
  | { k: 'lock'; lock: string }
  | { k: 'unlock'; lock: string }
  /** Register arithmetic: `reg = expr`. */
  | { k: 'assign'; reg: string; expr: LExpr }
  | { k: 'if'; cond: LExpr; then: LInstr[]; else: LInstr[] };

/** One process (`P0`, `P1`, ...). */
export interface LitmusProc {
  /** Registers, in declaration order. Every register starts at 0. */
  regs: string[];
  body: LInstr[];
}

/** A condition on the final state, as in a litmus `exists` clause. */
export type LCond =
  | { k: 'reg'; proc: number; reg: string; value: number }
  | { k: 'var'; var: string; value: number }
  | { k: 'and'; args: LCond[] }
  | { k: 'or'; args: LCond[] }
  | { k: 'not'; arg: LCond };

export interface LitmusTest {
  /** The test's name, in the kernel's convention: pattern, then each process's primitives. */
  name: string;
  /** Lines of explanation for the comment block, after the `Result:` line. */
  doc: string[];
  /** Shared `int` variables and their initial values (every variable any process uses). */
  vars: { name: string; init: number }[];
  /** Spin locks (`spinlock_t`), all initially unlocked. */
  locks: string[];
  procs: LitmusProc[];
  exists: LCond;
}

/** herd7's three verdicts for an `exists` clause. */
export type Verdict = 'Never' | 'Sometimes' | 'Always';
