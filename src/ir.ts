/**
 * The intermediate representation (IR) of a mempool spec.
 *
 * Every consumer reads this and nothing else: the interpreter (sequential model and memory
 * model), the litmus compiler, the generators and the validation harness. The resolver
 * (`src/spec/resolve.ts`) builds it from the checked AST; it is plain JSON-serialisable data,
 * so it can be embedded into generated files and compared byte for byte.
 *
 * Operations are lowered to *steps*: every shared access, lock, unlock, barrier, wait-queue
 * action and backing-allocator call is one statement, which is the granularity at which
 * threads may interleave. Expressions inside `if`/`let`/`return` never touch shared memory;
 * the resolver introduces a `read` step (into a fresh local) for every shared variable an
 * expression of the source mentions.
 */

/** A position in a spec file, 1-based, for error messages and for trace output. */
export interface Loc {
  line: number;
  col: number;
}

/** `op.label`: a named point inside an operation. */
export interface LabelRef {
  op: string;
  label: string;
}

/** A spec parameter and the range the checker explores. */
export interface Param {
  name: string;
  min: number;
  max: number;
  doc: string;
}

/** How a shared variable may be accessed (the access discipline). */
export type Access =
  /** Only under `lock`, except at the listed labels, where a lockless read is declared. */
  | { kind: 'locked'; lock: string; locklessReads: LabelRef[] }
  /** Every access is an atomic (sequentially consistent) one. */
  | { kind: 'atomic' };

/** A shared integer variable of the pool, such as `curr_nr` or `min_nr`. */
export interface SharedVar {
  name: string;
  /** Initial value; an expression over parameters (e.g. `min_nr`). Evaluated at create. */
  init: Expr;
  access: Access;
  doc: string;
}

/** The pool's spin lock. */
export interface LockDecl {
  name: string;
  doc: string;
}

/** The pool's wait queue; `timeoutMs` is what a sleeper waits before it retries anyway. */
export interface QueueDecl {
  name: string;
  timeoutMs: number;
  doc: string;
}

/**
 * The reserve: a stack of preallocated elements, guarded by `lock`, whose size is the shared
 * variable `count` (`curr_nr` in the kernel). `remove_element`/`add_element` act on both.
 */
export interface ReserveDecl {
  name: string;
  count: string;
  lock: string;
  doc: string;
}

/**
 * The backing allocator (`alloc_fn`/`free_fn`), modelled by capacity: it hands out at most
 * `capacity` elements at once and fails (returns null) when they are all out.
 */
export interface BackingDecl {
  name: string;
  /** Name of the parameter that gives its capacity. */
  capacityParam: string;
  doc: string;
}

/** A ghost counter: bookkeeping for invariants, never read by the pool's own code. */
export interface GhostDecl {
  name: string;
  init: Expr;
  doc: string;
}

export interface StateDecl {
  locks: LockDecl[];
  queues: QueueDecl[];
  vars: SharedVar[];
  reserve: ReserveDecl;
  backing: BackingDecl;
  ghosts: GhostDecl[];
}

export type BinOp = '+' | '-' | '*' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';

/**
 * Expressions. Inside operation bodies they range over locals, operation parameters,
 * spec parameters and constants. Invariants and ghost updates may also name shared variables,
 * ghosts and wait-queue sizes: those are evaluated on the latest values, atomically, because
 * they are bookkeeping, not code the pool runs.
 */
export type Expr =
  | { k: 'num'; value: number }
  | { k: 'bool'; value: boolean }
  | { k: 'null' }
  | { k: 'local'; name: string }
  | { k: 'param'; name: string }
  | { k: 'shared'; name: string }
  | { k: 'ghost'; name: string }
  /** The number of threads on a wait queue. */
  | { k: 'waiters'; queue: string }
  | { k: 'not'; arg: Expr }
  | { k: 'bin'; op: BinOp; left: Expr; right: Expr }
  | { k: 'call'; fn: 'min' | 'max'; args: Expr[] };

/** Barrier kinds, in the kernel's spelling. */
export type FenceKind = 'wmb' | 'rmb' | 'mb';

/** Common to every step: an optional label and where it stands in the spec. */
export interface StepBase {
  label?: string;
  loc: Loc;
}

export type Stmt =
  /** `local = expr` (no shared access). */
  | (StepBase & { k: 'let'; name: string; expr: Expr })
  /** `local = READ(var)`: a plain read under the discipline of `var`. */
  | (StepBase & { k: 'read'; into: string; var: string })
  /** `var = expr`: a plain write. */
  | (StepBase & { k: 'write'; var: string; expr: Expr })
  | (StepBase & { k: 'lock'; lock: string })
  | (StepBase & { k: 'unlock'; lock: string })
  | (StepBase & { k: 'fence'; fence: FenceKind })
  /** `remove_element`: `count -= 1`, then `into = reserve[count]`. Under the reserve lock. */
  | (StepBase & { k: 'remove_element'; into: string })
  /** `add_element`: `reserve[count] = expr`, then `count += 1`. Under the reserve lock. */
  | (StepBase & { k: 'add_element'; expr: Expr })
  /** `into = alloc_fn()`: null when the backing allocator's capacity is used up. */
  | (StepBase & { k: 'backing_alloc'; into: string })
  /** `free_fn(expr)`. */
  | (StepBase & { k: 'backing_free'; expr: Expr })
  /** `prepare_to_wait`: join the wait queue. */
  | (StepBase & { k: 'enqueue'; queue: string })
  /** `finish_wait`: leave the wait queue. */
  | (StepBase & { k: 'dequeue'; queue: string })
  /** `io_schedule_timeout`: sleep until woken or until the queue's timeout. */
  | (StepBase & { k: 'sleep'; queue: string })
  /** `wake_up`: wake every thread sleeping on the queue. */
  | (StepBase & { k: 'wake'; queue: string })
  /** A ghost update; evaluated atomically on the latest values. */
  | (StepBase & { k: 'ghost'; name: string; expr: Expr })
  | (StepBase & { k: 'if'; cond: Expr; then: Stmt[]; else: Stmt[] })
  /** `loop { ... }`: runs until `break` or `return`; `continue` starts it over. */
  | (StepBase & { k: 'loop'; body: Stmt[] })
  | (StepBase & { k: 'break' })
  | (StepBase & { k: 'continue' })
  | (StepBase & { k: 'return'; expr?: Expr });

export type ValueType = 'int' | 'bool' | 'elem';

/** An operation of the pool (`create`, `alloc`, `free`, ...). */
export interface Op {
  name: string;
  params: { name: string; type: ValueType }[];
  returns: ValueType | 'void';
  /** Locals the body assigns, with their types (params excluded), in order of appearance. */
  locals: { name: string; type: ValueType }[];
  body: Stmt[];
  loc: Loc;
  doc: string;
  /**
   * Set on operations that run while no other thread can reach the pool (`create`, and
   * `destroy`, whose caller guarantees nobody uses the pool any more): they are never run
   * concurrently with another operation, and the lock discipline does not apply to them.
   */
  exclusive?: boolean;
}

/** A safety property checked in every reachable state while the pool exists. */
export interface Invariant {
  name: string;
  expr: Expr;
  doc: string;
  loc: Loc;
}

/**
 * A liveness property checked where no thread can run. The only kind today:
 * no thread sleeps on `queue` while a retry of its allocation would succeed.
 */
export interface Liveness {
  name: string;
  kind: 'no_dangling_waiter';
  queue: string;
  doc: string;
  loc: Loc;
}

/** The writer-side barriers of a barrier edge; `unlock` is the release of a spin unlock. */
export type WriterBarrier = 'wmb' | 'mb' | 'unlock';
/** The reader-side barriers of a barrier edge; `lock` is the acquire of a spin lock. */
export type ReaderBarrier = 'rmb' | 'mb' | 'lock';

/**
 * A named happens-before edge.
 *
 * - `barrier`: a barrier at `from` on the writing side pairs with one at `to` on the reading
 *   side, so a thread that receives an element through `via` reads `protects` from after the
 *   writer's update (the reserve hand-off of kernel commit 5b990546).
 * - `lock`: the step at `from` happens inside a critical section of `lock`, so a thread that
 *   later takes the same lock and reaches `to` sees it (the wait-queue registration).
 *
 * `witness` names the scenario whose forbidden outcome this edge prevents; its litmus tests
 * are that scenario with the edge's barriers removed one at a time.
 */
export type Edge =
  | {
      kind: 'barrier';
      name: string;
      from: { barrier: WriterBarrier; at: LabelRef };
      to: { barrier: ReaderBarrier; at: LabelRef };
      protects: string;
      witness: string;
      doc: string;
      loc: Loc;
    }
  | {
      kind: 'lock';
      name: string;
      lock: string;
      from: LabelRef;
      to: LabelRef;
      protects: string;
      witness: string;
      doc: string;
      loc: Loc;
    };

/** A statement of a scenario's client program. */
export type ClientStmt =
  /** `reg = op(args)` or `op(args)`. Arguments are constants or registers. */
  | { k: 'call'; op: string; args: Expr[]; into?: string; loc: Loc }
  /** `reg = READ_ONCE(var)` of a client-level shared variable (e.g. the hand-off pointer). */
  | { k: 'read'; into: string; var: string; loc: Loc }
  /** `WRITE_ONCE(var, expr)`. */
  | { k: 'write'; var: string; expr: Expr; loc: Loc }
  | { k: 'if'; cond: Expr; then: ClientStmt[]; else: ClientStmt[]; loc: Loc };

/** An outcome condition, in the shape of a litmus `exists` clause. */
export type Outcome =
  | { k: 'reg'; thread: number; reg: string; value: number }
  /** The final value of a pool variable, a client-level shared variable or a ghost. */
  | { k: 'var'; var: string; value: number }
  /** How many threads are on the wait queue at the end (asleep, or about to sleep). */
  | { k: 'waiters'; queue: string; value: number }
  /** 1 if some `wake` found a thread on the queue, else 0. */
  | { k: 'woken'; queue: string; value: number }
  | { k: 'and'; args: Outcome[] }
  | { k: 'or'; args: Outcome[] }
  | { k: 'not'; arg: Outcome };

/**
 * A small client program over the operations with the outcome it must never (or may) show,
 * in the spirit of a litmus test. Pool state starts as `create` leaves it with `params`.
 */
export interface Scenario {
  name: string;
  doc: string;
  /** Values of the spec parameters for this scenario (every parameter is given one). */
  params: Record<string, number>;
  /**
   * Overrides of the state `create` leaves (pool variables and ghosts), e.g. `curr_nr = 0`
   * with `allocated = 1` for a scenario that starts with one element handed out. An element
   * handed out this way has the handle 1, 2, ... in order.
   */
  start: Record<string, number>;
  /** Client-level shared variables, such as the pointer an element is handed through. */
  shared: { name: string; init: number }[];
  threads: { name: string; body: ClientStmt[] }[];
  expect: 'never' | 'sometimes';
  outcome: Outcome;
  loc: Loc;
}

/** The whole spec. */
export interface SpecIR {
  name: string;
  title: string;
  /** The spec file's path as given to the tool, relative to the working directory. */
  source: string;
  /** sha-256 of the spec file's bytes, hex. */
  sha256: string;
  params: Param[];
  state: StateDecl;
  ops: Op[];
  invariants: Invariant[];
  liveness: Liveness[];
  edges: Edge[];
  scenarios: Scenario[];
}
