/**
 * Scenarios: client programs over the operations, with the outcome they must never (or may)
 * show. Checks that every spec parameter has a value in its range, that start overrides name
 * pool state, that calls name non-exclusive operations with the right number of arguments,
 * that registers are assigned before use, and that the outcome names real threads,
 * registers, variables and queues.
 */
import type { Binding, ClientStmt as AstClientStmt, Outcome as AstOutcome } from './ast.ts';
import {
  badScenario,
  duplicateName,
  misplaced,
  missingParamValue,
  paramOutOfRange,
  unknownName,
  unknownOutcomeName,
  wrongArity,
} from './errors.ts';
import { resolveExpr } from './expr.ts';
import { Namespace, requireKnown, type ScenarioDecl, type Symbols } from './symbols.ts';
import type { ClientStmt, Outcome, Scenario } from '../ir.ts';

/**
 * Resolves one scenario.
 *
 * @throws SpecError `missing-param-value`, `param-out-of-range`, `unknown-name`,
 *   `duplicate-name`, `wrong-arity`, `misplaced`, `bad-scenario` or `unknown-outcome-name`.
 */
export function resolveScenario(sym: Symbols, decl: ScenarioDecl): Scenario {
  const { src } = sym;
  const params: Record<string, number> = {};
  const start: Record<string, number> = {};
  const shared: { name: string; init: number }[] = [];
  const threads: { name: string; body: ClientStmt[] }[] = [];
  const registers = new Map<string, Set<string>>();
  const expectations = decl.items.filter((i) => i.kind === 'expect');

  const paramNames = new Namespace(src, 'scenario parameter');
  const startNames = new Namespace(src, 'start value');
  const sharedNames = new Namespace(src, 'client variable');
  const threadNames = new Namespace(src, 'thread');
  for (const item of decl.items) {
    switch (item.kind) {
      case 'params':
        for (const b of item.bindings) params[b.name.text] = paramValue(sym, b, paramNames);
        break;
      case 'start':
        for (const b of item.bindings) {
          startNames.add(b.name);
          if (!sym.vars.has(b.name.text) && !sym.ghosts.has(b.name.text)) {
            throw unknownName(src, b.name.span, 'pool variable or ghost', b.name.text, [
              ...sym.vars.keys(),
              ...sym.ghosts.keys(),
            ]);
          }
          start[b.name.text] = b.value;
        }
        break;
      case 'shared':
        for (const b of item.bindings) {
          sharedNames.add(b.name);
          const pool = sym.vars.get(b.name.text) ?? sym.ghosts.get(b.name.text);
          if (pool !== undefined) {
            throw duplicateName(src, b.name.span, 'variable', b.name.text, pool.name.span);
          }
          shared.push({ name: b.name.text, init: b.value });
        }
        break;
      case 'thread':
      case 'expect':
        break;
    }
  }
  // Threads come second so that a `shared` line may follow the threads that use it.
  const sharedSet = new Set(shared.map((s) => s.name));
  for (const item of decl.items) {
    if (item.kind !== 'thread') continue;
    threadNames.add(item.name);
    const regs = new Set<string>();
    const body = new ClientResolver(sym, regs, sharedSet).block(item.body);
    threads.push({ name: item.name.text, body });
    registers.set(item.name.text, regs);
  }

  const missing = [...sym.params.keys()].filter((p) => !(p in params));
  if (missing.length > 0) throw missingParamValue(src, decl.name.span, decl.name.text, missing);
  if (threads.length === 0) {
    const message = `scenario \`${decl.name.text}\` has no thread`;
    throw badScenario(src, decl.name.span, message, 'add `thread T0 { ... }`');
  }
  if (expectations.length !== 1) {
    const at = expectations.length === 0 ? decl.name.span : expectations[1].span;
    throw badScenario(
      src,
      at,
      `scenario \`${decl.name.text}\` must state exactly one outcome, not ${expectations.length}`,
      'end it with one `never <outcome>` or `sometimes <outcome>`',
    );
  }
  const expectation = expectations[0];
  const outcome = resolveOutcome(sym, expectation.outcome, {
    threads: threads.map((t) => t.name),
    registers,
    shared: shared.map((s) => s.name),
  });

  return {
    name: decl.name.text,
    doc: decl.doc,
    params,
    start,
    shared,
    threads,
    expect: expectation.expect,
    outcome,
    loc: sym.loc(decl.name.span.start),
  };
}

function paramValue(sym: Symbols, b: Binding, seen: Namespace): number {
  seen.add(b.name);
  const param = sym.params.get(b.name.text);
  if (param === undefined) {
    throw unknownName(sym.src, b.name.span, 'parameter', b.name.text, [...sym.params.keys()]);
  }
  if (b.value < param.min || b.value > param.max) {
    throw paramOutOfRange(sym.src, b.span, b.name.text, b.value, param.min, param.max);
  }
  return b.value;
}

/** Resolves the statements of one thread, tracking which registers it has assigned. */
class ClientResolver {
  constructor(
    private readonly sym: Symbols,
    private readonly registers: Set<string>,
    private readonly shared: ReadonlySet<string>,
  ) {}

  block(stmts: AstClientStmt[]): ClientStmt[] {
    return stmts.map((s) => this.stmt(s));
  }

  private stmt(s: AstClientStmt): ClientStmt {
    const { sym } = this;
    const loc = sym.loc(s.span.start);
    switch (s.kind) {
      case 'if': {
        const cond = this.expr(s.cond);
        return { k: 'if', cond, then: this.block(s.then), else: this.block(s.else), loc };
      }
      case 'read':
        this.requireShared(s.var);
        this.assign(s.into);
        return { k: 'read', into: s.into.text, var: s.var.text, loc };
      case 'write': {
        this.requireShared(s.var);
        return { k: 'write', var: s.var.text, expr: this.expr(s.expr), loc };
      }
      case 'call': {
        requireKnown(sym.src, s.op, sym.ops, 'operation');
        const op = sym.ops.get(s.op.text)!;
        if (op.exclusive) {
          throw misplaced(
            sym.src,
            s.op.span,
            `\`${s.op.text}\` is exclusive: it cannot run while other threads use the pool`,
            'scenarios start from the pool as create leaves it; use `start` to change that state',
          );
        }
        if (s.args.length !== op.params.length) {
          throw wrongArity(sym.src, s.span, s.op.text, op.params.length, s.args.length);
        }
        const args = s.args.map((a) => this.expr(a));
        const call: ClientStmt = { k: 'call', op: s.op.text, args, loc };
        if (s.into !== undefined) {
          if (op.returns === 'void') {
            const hint = `call it without \`${s.into.text} =\``;
            throw misplaced(sym.src, s.into.span, `\`${s.op.text}\` returns nothing`, hint);
          }
          this.assign(s.into);
          call.into = s.into.text;
        }
        return call;
      }
    }
  }

  private expr(e: Parameters<typeof resolveExpr>[2]) {
    return resolveExpr(this.sym, { kind: 'client', registers: this.registers }, e).expr;
  }

  private requireShared(name: { text: string; span: { start: number; end: number } }): void {
    if (!this.shared.has(name.text)) {
      throw unknownName(this.sym.src, name.span, 'client variable', name.text, [...this.shared]);
    }
  }

  private assign(name: { text: string; span: { start: number; end: number } }): void {
    if (this.shared.has(name.text)) {
      throw misplaced(
        this.sym.src,
        name.span,
        `\`${name.text}\` is a client variable, not a register`,
        `use \`WRITE_ONCE(${name.text}, ...)\` to store to it`,
      );
    }
    this.registers.add(name.text);
  }
}

/** What an outcome may name: the scenario's threads, their registers, its client variables. */
interface OutcomeScope {
  threads: string[];
  registers: Map<string, Set<string>>;
  shared: string[];
}

function resolveOutcome(sym: Symbols, ast: AstOutcome, scope: OutcomeScope): Outcome {
  switch (ast.kind) {
    case 'and':
    case 'or': {
      // Flattened, so that `a && b && c` is one `and` with three arguments.
      const args = [ast.left, ast.right]
        .map((o) => resolveOutcome(sym, o, scope))
        .flatMap((o) => (o.k === ast.kind ? o.args : [o]));
      return { k: ast.kind, args };
    }
    case 'not':
      return { k: 'not', arg: resolveOutcome(sym, ast.arg, scope) };
    case 'cmp': {
      const atom = resolveAtom(sym, ast, scope);
      return ast.equal ? atom : { k: 'not', arg: atom };
    }
  }
}

function resolveAtom(
  sym: Symbols,
  ast: Extract<AstOutcome, { kind: 'cmp' }>,
  scope: OutcomeScope,
): Outcome {
  const { src } = sym;
  const t = ast.target;
  const value = ast.value;
  switch (t.kind) {
    case 'reg': {
      const thread = scope.threads.indexOf(t.thread.text);
      if (thread === -1) {
        const kind = 'thread of the scenario';
        throw unknownOutcomeName(src, t.thread.span, kind, t.thread.text, scope.threads);
      }
      const regs = [...scope.registers.get(t.thread.text)!];
      if (!regs.includes(t.reg.text)) {
        const kind = `register of ${t.thread.text}`;
        throw unknownOutcomeName(src, t.reg.span, kind, t.reg.text, regs);
      }
      return { k: 'reg', thread, reg: t.reg.text, value };
    }
    case 'waiters':
    case 'woken': {
      const queues = [...sym.queues.keys()];
      if (!queues.includes(t.queue.text)) {
        throw unknownOutcomeName(src, t.queue.span, 'wait queue', t.queue.text, queues);
      }
      return { k: t.kind, queue: t.queue.text, value };
    }
    case 'var': {
      const known = [...sym.vars.keys(), ...sym.ghosts.keys(), ...scope.shared];
      if (!known.includes(t.name.text)) {
        const kind = 'pool, ghost or client variable';
        throw unknownOutcomeName(src, t.name.span, kind, t.name.text, known);
      }
      return { k: 'var', var: t.name.text, value };
    }
  }
}
