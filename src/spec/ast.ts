/**
 * The abstract syntax tree of a `.mps` spec file, as zod schemas.
 *
 * The tree mirrors the concrete syntax (`mempool-spec.ohm`) with names still unresolved;
 * the resolver (`resolve.ts`) turns it into the IR. Every node carries a `span`: the source
 * offsets it covers, so that a semantic error can point at the exact token.
 */
import * as z from 'zod';

/** Source offsets `[start, end)` of a node, 0-based, in UTF-16 code units. */
export const Span = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) });
export type Span = z.infer<typeof Span>;

/** A name as written: an identifier, a dotted lock or queue name, or a label. */
export const Name = z.object({ text: z.string().min(1), span: Span });
export type Name = z.infer<typeof Name>;

/** `@op.label`: a step of an operation, named from outside it. */
export const LabelRef = z.object({ op: Name, label: Name, span: Span });
export type LabelRef = z.infer<typeof LabelRef>;

/** A value type of an operation parameter or result. */
export const ValueType = z.enum(['int', 'bool', 'elem']);

/** The binary operators of expressions, as spelt in the source. */
export const BinOp = z.enum(['+', '-', '*', '<', '<=', '>', '>=', '==', '!=', '&&', '||']);

// ---- expressions ----------------------------------------------------------------------------

const NumExpr = z.object({ kind: z.literal('num'), value: z.number().int(), span: Span });
const BoolExpr = z.object({ kind: z.literal('bool'), value: z.boolean(), span: Span });
const NullExpr = z.object({ kind: z.literal('null'), span: Span });
const NameExpr = z.object({ kind: z.literal('name'), name: z.string(), span: Span });
const WaitersExpr = z.object({ kind: z.literal('waiters'), queue: Name, span: Span });
const NotExpr = z.object({
  kind: z.literal('not'),
  get arg() {
    return Expr;
  },
  span: Span,
});
const NegExpr = z.object({
  kind: z.literal('neg'),
  get arg() {
    return Expr;
  },
  span: Span,
});
const BinExpr = z.object({
  kind: z.literal('bin'),
  op: BinOp,
  get left() {
    return Expr;
  },
  get right() {
    return Expr;
  },
  span: Span,
});
const CallExpr = z.object({
  kind: z.literal('call'),
  fn: Name,
  get args() {
    return z.array(Expr);
  },
  span: Span,
});

/** An expression; names are resolved later (local, parameter, shared variable, ...). */
export const Expr = z.discriminatedUnion('kind', [
  NumExpr,
  BoolExpr,
  NullExpr,
  NameExpr,
  WaitersExpr,
  NotExpr,
  NegExpr,
  BinExpr,
  CallExpr,
]);
export type Expr = z.infer<typeof Expr>;

// ---- statements of operations ---------------------------------------------------------------

const stepBase = { label: Name.optional(), span: Span };

const IfStmt = z.object({
  kind: z.literal('if'),
  cond: Expr,
  get then() {
    return z.array(Stmt);
  },
  get else() {
    return z.array(Stmt);
  },
  label: Name.optional(),
  span: Span,
});
const WhileStmt = z.object({
  kind: z.literal('while'),
  cond: Expr,
  get body() {
    return z.array(Stmt);
  },
  label: Name.optional(),
  span: Span,
});
const LoopStmt = z.object({
  kind: z.literal('loop'),
  get body() {
    return z.array(Stmt);
  },
  label: Name.optional(),
  span: Span,
});

/** A statement of an operation body, before lowering to steps. */
export const Stmt = z.discriminatedUnion('kind', [
  IfStmt,
  WhileStmt,
  LoopStmt,
  z.object({ kind: z.literal('lock'), target: Name, ...stepBase }),
  z.object({ kind: z.literal('unlock'), target: Name, ...stepBase }),
  z.object({ kind: z.literal('enqueue'), target: Name, ...stepBase }),
  z.object({ kind: z.literal('dequeue'), target: Name, ...stepBase }),
  z.object({ kind: z.literal('sleep'), target: Name, ...stepBase }),
  z.object({ kind: z.literal('wake'), target: Name, ...stepBase }),
  z.object({ kind: z.literal('fence'), fence: z.enum(['wmb', 'rmb', 'mb']), ...stepBase }),
  z.object({ kind: z.literal('ghost'), name: Name, expr: Expr, ...stepBase }),
  z.object({ kind: z.literal('break'), ...stepBase }),
  z.object({ kind: z.literal('continue'), ...stepBase }),
  z.object({ kind: z.literal('return'), expr: Expr.optional(), ...stepBase }),
  z.object({ kind: z.literal('add_element'), expr: Expr, ...stepBase }),
  z.object({ kind: z.literal('backing_free'), expr: Expr, ...stepBase }),
  z.object({ kind: z.literal('remove_element'), into: Name, ...stepBase }),
  z.object({ kind: z.literal('backing_alloc'), into: Name, ...stepBase }),
  z.object({ kind: z.literal('assign'), target: Name, expr: Expr, ...stepBase }),
]);
export type Stmt = z.infer<typeof Stmt>;

// ---- scenarios -------------------------------------------------------------------------------

const ClientIf = z.object({
  kind: z.literal('if'),
  cond: Expr,
  get then() {
    return z.array(ClientStmt);
  },
  get else() {
    return z.array(ClientStmt);
  },
  span: Span,
});

/** A statement of a scenario's client program. */
export const ClientStmt = z.discriminatedUnion('kind', [
  ClientIf,
  z.object({ kind: z.literal('write'), var: Name, expr: Expr, span: Span }),
  z.object({ kind: z.literal('read'), into: Name, var: Name, span: Span }),
  z.object({
    kind: z.literal('call'),
    op: Name,
    args: z.array(Expr),
    into: Name.optional(),
    span: Span,
  }),
]);
export type ClientStmt = z.infer<typeof ClientStmt>;

/** What an outcome atom compares: a register, a variable, or a wait-queue count. */
export const OutcomeTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reg'), thread: Name, reg: Name, span: Span }),
  z.object({ kind: z.literal('waiters'), queue: Name, span: Span }),
  z.object({ kind: z.literal('woken'), queue: Name, span: Span }),
  z.object({ kind: z.literal('var'), name: Name, span: Span }),
]);
export type OutcomeTarget = z.infer<typeof OutcomeTarget>;

const OutcomeBin = <K extends 'and' | 'or'>(kind: K) =>
  z.object({
    kind: z.literal(kind),
    get left() {
      return Outcome;
    },
    get right() {
      return Outcome;
    },
    span: Span,
  });

/** A condition on the final state (a litmus `exists` clause). */
export const Outcome = z.discriminatedUnion('kind', [
  OutcomeBin('and'),
  OutcomeBin('or'),
  z.object({
    kind: z.literal('not'),
    get arg() {
      return Outcome;
    },
    span: Span,
  }),
  z.object({
    kind: z.literal('cmp'),
    target: OutcomeTarget,
    equal: z.boolean(),
    value: z.number().int(),
    span: Span,
  }),
]);
export type Outcome = z.infer<typeof Outcome>;

/** `name = value` in a scenario's `params`, `start` or `shared` line. */
export const Binding = z.object({ name: Name, value: z.number().int(), span: Span });
export type Binding = z.infer<typeof Binding>;

/** One line of a scenario body, in source order. */
export const ScenarioItem = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('params'), bindings: z.array(Binding), span: Span }),
  z.object({ kind: z.literal('start'), bindings: z.array(Binding), span: Span }),
  z.object({ kind: z.literal('shared'), bindings: z.array(Binding), span: Span }),
  z.object({ kind: z.literal('thread'), name: Name, body: z.array(ClientStmt), span: Span }),
  z.object({
    kind: z.literal('expect'),
    expect: z.enum(['never', 'sometimes']),
    outcome: Outcome,
    span: Span,
  }),
]);
export type ScenarioItem = z.infer<typeof ScenarioItem>;

// ---- declarations ----------------------------------------------------------------------------

/** A barrier as named on one side of an edge (`unlock`/`lock` stand for release/acquire). */
export const BarrierName = z.object({
  text: z.enum(['wmb', 'rmb', 'mb', 'lock', 'unlock']),
  span: Span,
});

/** The two shapes of a happens-before edge. */
export const EdgeBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('barrier'),
    from: z.object({ barrier: BarrierName, at: LabelRef }),
    to: z.object({ barrier: BarrierName, at: LabelRef }),
    span: Span,
  }),
  z.object({ kind: z.literal('lock'), lock: Name, from: LabelRef, to: LabelRef, span: Span }),
]);
export type EdgeBody = z.infer<typeof EdgeBody>;

const declBase = { name: Name, doc: z.string(), span: Span };

/** How a shared variable may be accessed. */
export const Access = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('guarded'), lock: Name, locklessReads: z.array(LabelRef) }),
  z.object({ kind: z.literal('atomic') }),
]);

/** A top-level declaration. */
export const Decl = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('param'), min: z.number().int(), max: z.number().int(), ...declBase }),
  z.object({ kind: z.literal('lock'), ...declBase }),
  z.object({ kind: z.literal('queue'), timeoutMs: z.number().int(), ...declBase }),
  z.object({ kind: z.literal('var'), init: Expr, access: Access, ...declBase }),
  z.object({ kind: z.literal('reserve'), count: Name, lock: Name, ...declBase }),
  z.object({ kind: z.literal('backing'), capacity: Name, ...declBase }),
  z.object({ kind: z.literal('ghost'), init: Expr, ...declBase }),
  z.object({
    kind: z.literal('op'),
    params: z.array(z.object({ name: Name, type: ValueType, span: Span })),
    returns: z.union([ValueType, z.literal('void')]),
    exclusive: z.boolean(),
    body: z.array(Stmt),
    ...declBase,
  }),
  z.object({ kind: z.literal('invariant'), expr: Expr, ...declBase }),
  z.object({ kind: z.literal('liveness'), queue: Name, ...declBase }),
  z.object({
    kind: z.literal('edge'),
    body: EdgeBody,
    protects: Name,
    witness: Name,
    ...declBase,
  }),
  z.object({ kind: z.literal('scenario'), items: z.array(ScenarioItem), ...declBase }),
]);
export type Decl = z.infer<typeof Decl>;

/** A whole spec file. */
export const SpecAst = z.object({
  name: Name,
  title: z.string(),
  decls: z.array(Decl),
  span: Span,
});
export type SpecAst = z.infer<typeof SpecAst>;
