/**
 * AST to IR: resolves every name, lowers the operations, and runs the semantic checks
 * (lock discipline, edges, scenarios). The first problem found is thrown as a SpecError.
 */
import type { LabelRef as AstLabelRef, Name, SpecAst } from './ast.ts';
import {
  badDeclaration,
  barrierMismatch,
  barrierPairing,
  edgeNotUnderLock,
  missingLabel,
  missingWitness,
  unknownName,
  type SourceFile,
} from './errors.ts';
import { resolveTyped } from './expr.ts';
import { checkLocks, type LockFacts } from './locks.ts';
import { lowerOp, type LoweredOp } from './lower.ts';
import { resolveScenario } from './scenarios.ts';
import { collectSymbols, requireKnown, type EdgeDecl, type Symbols } from './symbols.ts';
import type {
  Edge,
  Invariant,
  LabelRef,
  Liveness,
  ReaderBarrier,
  SharedVar,
  SpecIR,
  StateDecl,
  Stmt,
  WriterBarrier,
} from '../ir.ts';

/** Facts about the spec file itself that the AST does not hold. */
export interface SourceMeta {
  /** The path to record in `SpecIR.source`. */
  source: string;
  /** sha-256 of the file's bytes, hex. */
  sha256: string;
}

/** An operation after lowering and the lock check. */
interface CheckedOp extends LoweredOp {
  locks: LockFacts;
}

/**
 * Builds the IR of a parsed spec.
 *
 * @throws SpecError for the first semantic problem found (see docs/errors.md).
 */
export function resolveSpec(ast: SpecAst, src: SourceFile, meta: SourceMeta): SpecIR {
  const sym = collectSymbols(ast, src);
  const state = resolveState(sym);

  const lowered = new Map<string, LoweredOp>();
  for (const decl of sym.ops.values()) lowered.set(decl.name.text, lowerOp(sym, decl));
  // Before the lock check, so that a declaration naming the wrong step is reported as such.
  checkLocklessReads(sym, lowered);
  const ops = new Map<string, CheckedOp>();
  for (const [name, op] of lowered) ops.set(name, { ...op, locks: checkLocks(sym, op) });

  return {
    name: ast.name.text,
    title: ast.title,
    source: meta.source,
    sha256: meta.sha256,
    params: [...sym.params.values()].map((p) => ({
      name: p.name.text,
      min: p.min,
      max: p.max,
      doc: p.doc,
    })),
    state,
    ops: [...ops.values()].map((o) => o.op),
    invariants: resolveInvariants(sym),
    liveness: resolveLiveness(sym),
    edges: sym.edges.map((e) => resolveEdge(sym, ops, e)),
    scenarios: [...sym.scenarios.values()].map((s) => resolveScenario(sym, s)),
  };
}

function resolveState(sym: Symbols): StateDecl {
  const { src } = sym;
  const requireLock = (name: Name) => requireKnown(src, name, sym.locks, 'lock');

  const vars: SharedVar[] = [...sym.vars.values()].map((v) => {
    const init = resolveTyped(sym, { kind: 'init' }, v.init, 'int', 'an initial value');
    if (v.access.kind === 'atomic') {
      return { name: v.name.text, init, access: { kind: 'atomic' }, doc: v.doc };
    }
    requireLock(v.access.lock);
    const locklessReads = v.access.locklessReads.map(labelRefOf);
    const access = { kind: 'locked' as const, lock: v.access.lock.text, locklessReads };
    return { name: v.name.text, init, access, doc: v.doc };
  });

  const { reserve, backing } = sym;
  requireLock(reserve.lock);
  requireKnown(src, reserve.count, sym.vars, 'shared variable');
  const count = sym.vars.get(reserve.count.text)!;
  if (count.access.kind !== 'guarded' || count.access.lock.text !== reserve.lock.text) {
    throw badDeclaration(
      src,
      reserve.count.span,
      `the reserve's count \`${reserve.count.text}\` is not guarded by the reserve's lock`,
      `declare \`var ${reserve.count.text} = ... guarded by ${reserve.lock.text}\``,
    );
  }
  requireKnown(src, backing.capacity, sym.params, 'parameter');

  return {
    locks: [...sym.locks.values()].map((l) => ({ name: l.name.text, doc: l.doc })),
    queues: [...sym.queues.values()].map((q) => ({
      name: q.name.text,
      timeoutMs: q.timeoutMs,
      doc: q.doc,
    })),
    vars,
    reserve: {
      name: reserve.name.text,
      count: reserve.count.text,
      lock: reserve.lock.text,
      doc: reserve.doc,
    },
    backing: { name: backing.name.text, capacityParam: backing.capacity.text, doc: backing.doc },
    ghosts: [...sym.ghosts.values()].map((g) => ({
      name: g.name.text,
      init: resolveTyped(sym, { kind: 'init' }, g.init, 'int', 'an initial value'),
      doc: g.doc,
    })),
  };
}

function labelRefOf(ref: AstLabelRef): LabelRef {
  return { op: ref.op.text, label: ref.label.text };
}

/** The steps `ref` names; throws if the operation or the label does not exist. */
function stepsAt(sym: Symbols, ops: Map<string, LoweredOp>, ref: AstLabelRef): Stmt[] {
  requireKnown(sym.src, ref.op, ops, 'operation');
  const op = ops.get(ref.op.text)!;
  const steps = op.labels.get(ref.label.text);
  if (steps === undefined) {
    throw missingLabel(sym.src, ref.label.span, ref.op.text, ref.label.text, [...op.labels.keys()]);
  }
  return steps;
}

/** Every declared lockless read must name a step that reads that variable. */
function checkLocklessReads(sym: Symbols, ops: Map<string, LoweredOp>): void {
  for (const v of sym.vars.values()) {
    if (v.access.kind !== 'guarded') continue;
    for (const ref of v.access.locklessReads) {
      const steps = stepsAt(sym, ops, ref);
      if (!steps.some((s) => s.k === 'read' && s.var === v.name.text)) {
        throw badDeclaration(
          sym.src,
          ref.span,
          `\`@${ref.op.text}.${ref.label.text}\` does not read \`${v.name.text}\``,
          `label the statement that reads \`${v.name.text}\` without the lock, ` +
            'or drop the declaration',
        );
      }
    }
  }
}

function resolveInvariants(sym: Symbols): Invariant[] {
  return sym.invariants.map((i) => ({
    name: i.name.text,
    expr: resolveTyped(sym, { kind: 'invariant' }, i.expr, 'bool', 'an invariant'),
    doc: i.doc,
    loc: sym.loc(i.name.span.start),
  }));
}

function resolveLiveness(sym: Symbols): Liveness[] {
  return sym.liveness.map((l) => {
    requireKnown(sym.src, l.queue, sym.queues, 'wait queue');
    return {
      name: l.name.text,
      kind: 'no_dangling_waiter' as const,
      queue: l.queue.text,
      doc: l.doc,
      loc: sym.loc(l.name.span.start),
    };
  });
}

const writerBarriers: readonly string[] = ['wmb', 'mb', 'unlock'];
const readerBarriers: readonly string[] = ['rmb', 'mb', 'lock'];

function resolveEdge(sym: Symbols, ops: Map<string, CheckedOp>, decl: EdgeDecl): Edge {
  const { src } = sym;
  const body = decl.body;
  const base = { name: decl.name.text, doc: decl.doc, loc: sym.loc(decl.name.span.start) };

  let edge: Edge;
  if (body.kind === 'barrier') {
    const { from, to } = body;
    if (!writerBarriers.includes(from.barrier.text)) {
      throw barrierPairing(src, from.barrier.span, 'writer', from.barrier.text);
    }
    if (!readerBarriers.includes(to.barrier.text)) {
      throw barrierPairing(src, to.barrier.span, 'reader', to.barrier.text);
    }
    for (const side of [from, to]) {
      const steps = stepsAt(sym, ops, side.at);
      if (!steps.some((s) => isBarrier(s, side.barrier.text))) {
        const where = `@${side.at.op.text}.${side.at.label.text}`;
        throw barrierMismatch(src, side.at.span, side.barrier.text, where, describeStep(steps[0]));
      }
    }
    edge = {
      kind: 'barrier',
      ...base,
      from: { barrier: from.barrier.text as WriterBarrier, at: labelRefOf(from.at) },
      to: { barrier: to.barrier.text as ReaderBarrier, at: labelRefOf(to.at) },
      protects: decl.protects.text,
      witness: decl.witness.text,
    };
  } else {
    const lock = body.lock.text;
    requireKnown(src, body.lock, sym.locks, 'lock');
    checkUnderLock(sym, ops, body.from, lock, 'from');
    checkUnderLock(sym, ops, body.to, lock, 'to');
    edge = {
      kind: 'lock',
      ...base,
      lock,
      from: labelRefOf(body.from),
      to: labelRefOf(body.to),
      protects: decl.protects.text,
      witness: decl.witness.text,
    };
  }

  if (!sym.vars.has(decl.protects.text) && !sym.queues.has(decl.protects.text)) {
    const known = [...sym.vars.keys(), ...sym.queues.keys()];
    const kind = 'shared variable or wait queue';
    throw unknownName(src, decl.protects.span, kind, decl.protects.text, known);
  }
  if (!sym.scenarios.has(decl.witness.text)) {
    throw missingWitness(src, decl.witness.span, decl.witness.text, [...sym.scenarios.keys()]);
  }
  return edge;
}

/**
 * A lock edge's `from` steps must run holding `lock` on every path; its `to` steps must come
 * after the operation took `lock` on every path (it may have released it since).
 */
function checkUnderLock(
  sym: Symbols,
  ops: Map<string, CheckedOp>,
  ref: AstLabelRef,
  lock: string,
  side: 'from' | 'to',
): void {
  const steps = stepsAt(sym, ops, ref);
  const facts = ops.get(ref.op.text)!.locks;
  for (const step of steps) {
    const states = facts.before.get(step);
    const holds = (st: { held: readonly string[]; taken: readonly string[] }) =>
      (side === 'from' ? st.held : st.taken).includes(lock);
    if (states === undefined || ![...states.values()].every(holds)) {
      throw edgeNotUnderLock(sym.src, ref.span, `@${ref.op.text}.${ref.label.text}`, lock, side);
    }
  }
}

function isBarrier(step: Stmt, barrier: string): boolean {
  if (barrier === 'lock' || barrier === 'unlock') return step.k === barrier;
  return step.k === 'fence' && step.fence === barrier;
}

function describeStep(step: Stmt): string {
  switch (step.k) {
    case 'fence':
      return `the barrier \`${step.fence}\``;
    case 'lock':
    case 'unlock':
      return `${step.k === 'lock' ? 'a lock' : 'an unlock'} of \`${step.lock}\``;
    case 'read':
      return `a read of \`${step.var}\``;
    case 'write':
      return `a write of \`${step.var}\``;
    case 'enqueue':
    case 'dequeue':
    case 'sleep':
    case 'wake':
      return `\`${step.k} ${step.queue}\``;
    default:
      return `a \`${step.k}\` step`;
  }
}
