/**
 * Text to AST: matches a spec against the ohm grammar and builds the zod-checked AST.
 *
 * The grammar is read at runtime from `src/spec/mempool-spec.ohm` (through `packageRoot`),
 * so the `.ohm` file is the single source of the concrete syntax.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ohm from 'ohm-js';
import { packageRoot } from '../paths.ts';
import { SpecAst, type Span } from './ast.ts';
import { badNumber, syntaxError, type SourceFile } from './errors.ts';

/** The spec grammar, compiled once per process. */
export const grammar: ohm.Grammar = ohm.grammar(
  readFileSync(join(packageRoot, 'src', 'spec', 'mempool-spec.ohm'), 'utf8'),
);

/** Thrown inside semantic actions for a lexical problem ohm cannot express. */
class TooLargeNumber {
  constructor(
    readonly span: Span,
    readonly text: string,
  ) {}
}

type Node = ohm.Node;

function spanOf(node: Node): Span {
  return { start: node.source.startIdx, end: node.source.endIdx };
}

function nameOf(node: Node) {
  return { text: node.sourceString, span: spanOf(node) };
}

/** The value of an optional (`x?`) node, or `fallback` when it is absent. */
function opt<T>(node: Node, fallback: T): T {
  return node.numChildren === 0 ? fallback : (node.child(0).ast() as T);
}

function list(node: Node): unknown[] {
  return node.asIteration().children.map((c: Node) => c.ast());
}

function intOf(node: Node): number {
  const value = Number(node.sourceString);
  if (!Number.isSafeInteger(value)) throw new TooLargeNumber(spanOf(node), node.sourceString);
  return value;
}

function bin(op: string) {
  return function (this: Node, left: Node, _op: Node, right: Node) {
    return { kind: 'bin', op, left: left.ast(), right: right.ast(), span: spanOf(this) };
  };
}

function outcomeBin(kind: 'and' | 'or') {
  return function (this: Node, left: Node, _op: Node, right: Node) {
    return { kind, left: left.ast(), right: right.ast(), span: spanOf(this) };
  };
}

function onName(kind: string) {
  return function (this: Node, _kw: Node, target: Node) {
    return { kind, target: target.ast(), span: spanOf(this) };
  };
}

function bindings(kind: string) {
  return function (this: Node, _kw: Node, items: Node) {
    return { kind, bindings: list(items), span: spanOf(this) };
  };
}

function expectation(expect: 'never' | 'sometimes') {
  return function (this: Node, _kw: Node, outcome: Node) {
    return { kind: 'expect', expect, outcome: outcome.ast(), span: spanOf(this) };
  };
}

const semantics = grammar.createSemantics().addOperation<unknown>('ast', {
  Spec(header, decls) {
    const { name, title } = header.ast();
    return { name, title, decls: decls.children.map((d) => d.ast()), span: spanOf(this) };
  },
  SpecHeader(_kw, name, doc) {
    return { name: name.ast(), title: opt(doc, '') };
  },

  ParamDecl(_kw, name, _in, min, _dots, max, doc) {
    return {
      kind: 'param',
      name: name.ast(),
      min: min.ast(),
      max: max.ast(),
      doc: opt(doc, ''),
      span: spanOf(this),
    };
  },
  LockDecl(_kw, name, doc) {
    return { kind: 'lock', name: name.ast(), doc: opt(doc, ''), span: spanOf(this) };
  },
  QueueDecl(_kw, name, _timeout, ms, _ms, doc) {
    return {
      kind: 'queue',
      name: name.ast(),
      timeoutMs: ms.ast(),
      doc: opt(doc, ''),
      span: spanOf(this),
    };
  },
  VarDecl(_kw, name, _eq, init, access, doc) {
    return {
      kind: 'var',
      name: name.ast(),
      init: init.ast(),
      access: access.ast(),
      doc: opt(doc, ''),
      span: spanOf(this),
    };
  },
  Access_guarded(_guarded, _by, lock, lockless) {
    return { kind: 'guarded', lock: lock.ast(), locklessReads: opt(lockless, []) };
  },
  Access_atomic(_kw) {
    return { kind: 'atomic' };
  },
  LocklessReads(_lockless, _reads, refs) {
    return list(refs);
  },
  ReserveDecl(_kw, name, _counted, _by, count, _guarded, _by2, lock, doc) {
    return {
      kind: 'reserve',
      name: name.ast(),
      count: count.ast(),
      lock: lock.ast(),
      doc: opt(doc, ''),
      span: spanOf(this),
    };
  },
  BackingDecl(_kw, name, _limited, _by, capacity, doc) {
    return {
      kind: 'backing',
      name: name.ast(),
      capacity: capacity.ast(),
      doc: opt(doc, ''),
      span: spanOf(this),
    };
  },
  GhostDecl(_kw, name, _eq, init, doc) {
    return {
      kind: 'ghost',
      name: name.ast(),
      init: init.ast(),
      doc: opt(doc, ''),
      span: spanOf(this),
    };
  },

  OpDecl(_kw, name, _open, params, _close, returns, exclusive, doc, body) {
    return {
      kind: 'op',
      name: name.ast(),
      params: list(params),
      returns: opt(returns, 'void'),
      exclusive: exclusive.numChildren > 0,
      doc: opt(doc, ''),
      body: body.ast(),
      span: spanOf(this),
    };
  },
  OpParam(name, _colon, type) {
    return { name: name.ast(), type: type.sourceString, span: spanOf(this) };
  },
  Returns(_arrow, type) {
    return type.sourceString;
  },
  Block(_open, stmts, jump, _close) {
    return [...stmts.children.map((s) => s.ast()), ...opt<unknown[]>(jump, [])];
  },
  Jump(action, label) {
    return [{ ...action.ast(), label: opt(label, undefined), span: spanOf(this) }];
  },
  JumpAction_break(_kw) {
    return { kind: 'break' };
  },
  JumpAction_continue(_kw) {
    return { kind: 'continue' };
  },
  JumpAction_return(_kw, expr) {
    return { kind: 'return', expr: opt(expr, undefined) };
  },
  IfStmt(_kw, cond, label, then, elsePart) {
    return {
      kind: 'if',
      cond: cond.ast(),
      label: opt(label, undefined),
      then: then.ast(),
      else: opt(elsePart, []),
      span: spanOf(this),
    };
  },
  ElsePart_elseIf(_kw, ifStmt) {
    return [ifStmt.ast()];
  },
  ElsePart_else(_kw, block) {
    return block.ast();
  },
  WhileStmt(_kw, cond, label, body) {
    return {
      kind: 'while',
      cond: cond.ast(),
      label: opt(label, undefined),
      body: body.ast(),
      span: spanOf(this),
    };
  },
  LoopStmt(_kw, body) {
    return { kind: 'loop', body: body.ast(), span: spanOf(this) };
  },
  SimpleStmt(action, label) {
    return { ...action.ast(), label: opt(label, undefined), span: spanOf(this) };
  },
  Action_lock: onName('lock'),
  Action_unlock: onName('unlock'),
  Action_enqueue: onName('enqueue'),
  Action_dequeue: onName('dequeue'),
  Action_sleep: onName('sleep'),
  Action_wake: onName('wake'),
  Action_fence(fence) {
    return { kind: 'fence', fence: fence.sourceString };
  },
  Action_ghost(_kw, name, _eq, expr) {
    return { kind: 'ghost', name: name.ast(), expr: expr.ast() };
  },
  Action_addElement(_kw, _open, expr, _close) {
    return { kind: 'add_element', expr: expr.ast() };
  },
  Action_backingFree(_kw, _open, expr, _close) {
    return { kind: 'backing_free', expr: expr.ast() };
  },
  Action_removeElement(into, _eq, _kw, _open, _close) {
    return { kind: 'remove_element', into: into.ast() };
  },
  Action_backingAlloc(into, _eq, _kw, _open, _close) {
    return { kind: 'backing_alloc', into: into.ast() };
  },
  Action_assign(target, _eq, expr) {
    return { kind: 'assign', target: target.ast(), expr: expr.ast() };
  },

  OrExpr_or: bin('||'),
  AndExpr_and: bin('&&'),
  CmpExpr_cmp(left, op, right) {
    return {
      kind: 'bin',
      op: op.sourceString,
      left: left.ast(),
      right: right.ast(),
      span: spanOf(this),
    };
  },
  AddExpr_plus: bin('+'),
  AddExpr_minus: bin('-'),
  MulExpr_times: bin('*'),
  Unary_not(_bang, arg) {
    return { kind: 'not', arg: arg.ast(), span: spanOf(this) };
  },
  Unary_neg(_minus, arg) {
    return { kind: 'neg', arg: arg.ast(), span: spanOf(this) };
  },
  Primary_paren(_open, expr, _close) {
    return expr.ast();
  },
  Primary_num(n) {
    return { kind: 'num', value: n.ast(), span: spanOf(this) };
  },
  Primary_true(_kw) {
    return { kind: 'bool', value: true, span: spanOf(this) };
  },
  Primary_false(_kw) {
    return { kind: 'bool', value: false, span: spanOf(this) };
  },
  Primary_null(_kw) {
    return { kind: 'null', span: spanOf(this) };
  },
  Primary_waiters(_kw, _open, queue, _close) {
    return { kind: 'waiters', queue: queue.ast(), span: spanOf(this) };
  },
  Primary_call(fn, _open, args, _close) {
    return { kind: 'call', fn: fn.ast(), args: list(args), span: spanOf(this) };
  },
  Primary_name(name) {
    return { kind: 'name', name: name.sourceString, span: spanOf(this) };
  },

  InvariantDecl(_kw, name, doc, _colon, expr) {
    return {
      kind: 'invariant',
      name: name.ast(),
      doc: opt(doc, ''),
      expr: expr.ast(),
      span: spanOf(this),
    };
  },
  LivenessDecl(_kw, name, doc, _colon, _kind, _on, queue) {
    return {
      kind: 'liveness',
      name: name.ast(),
      doc: opt(doc, ''),
      queue: queue.ast(),
      span: spanOf(this),
    };
  },
  EdgeDecl(_kw, name, doc, _colon, body, _protects, protects, _witness, witness) {
    return {
      kind: 'edge',
      name: name.ast(),
      doc: opt(doc, ''),
      body: body.ast(),
      protects: protects.ast(),
      witness: witness.ast(),
      span: spanOf(this),
    };
  },
  EdgeBody_lock(_kw, lock, from, _arrow, to) {
    return { kind: 'lock', lock: lock.ast(), from: from.ast(), to: to.ast(), span: spanOf(this) };
  },
  EdgeBody_barrier(fromBarrier, from, _arrow, toBarrier, to) {
    return {
      kind: 'barrier',
      from: { barrier: nameOf(fromBarrier), at: from.ast() },
      to: { barrier: nameOf(toBarrier), at: to.ast() },
      span: spanOf(this),
    };
  },

  ScenarioDecl(_kw, name, doc, _open, items, _close) {
    return {
      kind: 'scenario',
      name: name.ast(),
      doc: opt(doc, ''),
      items: items.children.map((i) => i.ast()),
      span: spanOf(this),
    };
  },
  ScenarioItem_params: bindings('params'),
  ScenarioItem_start: bindings('start'),
  ScenarioItem_shared: bindings('shared'),
  ScenarioItem_thread(_kw, name, body) {
    return { kind: 'thread', name: name.ast(), body: body.ast(), span: spanOf(this) };
  },
  ScenarioItem_never: expectation('never'),
  ScenarioItem_sometimes: expectation('sometimes'),
  Binding(name, _eq, value) {
    return { name: name.ast(), value: value.ast(), span: spanOf(this) };
  },
  ClientBlock(_open, stmts, _close) {
    return stmts.children.map((s) => s.ast());
  },
  ClientStmt_if(_kw, cond, then, elsePart) {
    return {
      kind: 'if',
      cond: cond.ast(),
      then: then.ast(),
      else: opt(elsePart, []),
      span: spanOf(this),
    };
  },
  ClientElse(_kw, block) {
    return block.ast();
  },
  ClientStmt_write(_kw, _open, variable, _comma, expr, _close) {
    return { kind: 'write', var: variable.ast(), expr: expr.ast(), span: spanOf(this) };
  },
  ClientStmt_read(into, _eq, _kw, _open, variable, _close) {
    return { kind: 'read', into: into.ast(), var: variable.ast(), span: spanOf(this) };
  },
  ClientStmt_callInto(into, _eq, op, _open, args, _close) {
    return { kind: 'call', op: op.ast(), args: list(args), into: into.ast(), span: spanOf(this) };
  },
  ClientStmt_call(op, _open, args, _close) {
    return { kind: 'call', op: op.ast(), args: list(args), span: spanOf(this) };
  },

  Outcome_or: outcomeBin('or'),
  OutcomeAnd_and: outcomeBin('and'),
  OutcomeNot_not(_bang, arg) {
    return { kind: 'not', arg: arg.ast(), span: spanOf(this) };
  },
  OutcomeAtom_paren(_open, outcome, _close) {
    return outcome.ast();
  },
  OutcomeAtom_eq(target, _op, value) {
    return {
      kind: 'cmp',
      target: target.ast(),
      equal: true,
      value: value.ast(),
      span: spanOf(this),
    };
  },
  OutcomeAtom_ne(target, _op, value) {
    return {
      kind: 'cmp',
      target: target.ast(),
      equal: false,
      value: value.ast(),
      span: spanOf(this),
    };
  },
  OutcomeTarget_reg(ref) {
    return { kind: 'reg', ...ref.ast(), span: spanOf(this) };
  },
  OutcomeTarget_waiters(_kw, _open, queue, _close) {
    return { kind: 'waiters', queue: queue.ast(), span: spanOf(this) };
  },
  OutcomeTarget_woken(_kw, _open, queue, _close) {
    return { kind: 'woken', queue: queue.ast(), span: spanOf(this) };
  },
  OutcomeTarget_var(name) {
    return { kind: 'var', name: name.ast(), span: spanOf(this) };
  },

  Doc(strings) {
    return strings.children.map((s) => s.ast()).join('');
  },
  docString(_open, _chars, _close) {
    return this.sourceString.slice(1, -1).replace(/\\(["\\])/g, '$1');
  },

  label(_at, word) {
    return nameOf(word);
  },
  labelRef(_at, op, _dot, label) {
    return { op: nameOf(op), label: nameOf(label), span: spanOf(this) };
  },
  regRef(thread, _dot, reg) {
    return { thread: nameOf(thread), reg: nameOf(reg) };
  },
  qname(_first, _dots, _rest) {
    return nameOf(this);
  },
  ident(_start, _rest) {
    return nameOf(this);
  },
  number(_digits) {
    return intOf(this);
  },
  intLit(_minus, _digits) {
    return intOf(this);
  },
});

/**
 * Parses spec text into its AST.
 *
 * @throws SpecError `syntax` at ohm's rightmost failure position when the text does not
 *   match the grammar, or `bad-number` for a literal too large to be exact.
 * @throws RangeError when the text nests too deeply for the parser's recursion
 *   (`parseSpec` turns it into a SpecError).
 */
export function parseAst(src: SourceFile): SpecAst {
  const match = grammar.match(src.text);
  if (match.failed()) {
    throw syntaxError(src, match.getRightmostFailurePosition(), match.getExpectedText());
  }
  let raw: unknown;
  try {
    raw = semantics(match).ast();
  } catch (e) {
    if (e instanceof TooLargeNumber) throw badNumber(src, e.span, e.text);
    throw e;
  }
  // The semantics above are the only producer of ASTs; a failure here is a bug in them,
  // not in the spec, so it stays an ordinary exception.
  return SpecAst.parse(raw);
}
