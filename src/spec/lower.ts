/**
 * Operation bodies to IR steps.
 *
 * Every shared-variable mention in an expression becomes a `read` step into a fresh local
 * (`curr_nr_1`, `curr_nr_2`, ...) placed just before the statement, so that every shared
 * access is one step; `while c { b }` becomes `loop { reads; if !c { break }; b }`, so the
 * condition is read again on every iteration. A label on a statement names the statement's
 * own step and the reads made for its expressions.
 */
import type { Name, Span, Stmt as AstStmt, Expr as AstExpr } from './ast.ts';
import { duplicateName, misplaced, typeMismatch } from './errors.ts';
import { describeType, resolveExpr, resolveTyped, type ExprPlace } from './expr.ts';
import { requireKnown, type OpDecl, type Symbols } from './symbols.ts';
import type { Expr, Op, Stmt, ValueType } from '../ir.ts';

/** An operation lowered to IR, with what the later checks need to point back at the source. */
export interface LoweredOp {
  decl: OpDecl;
  op: Op;
  /** The steps each label names, in program order. */
  labels: Map<string, Stmt[]>;
  /** The source span of every step (for a read: the span of the variable's mention). */
  spans: WeakMap<Stmt, Span>;
}

/**
 * Lowers one operation.
 *
 * @throws SpecError for unknown names, duplicate labels or locals, type errors, misplaced
 *   statements (`break` outside a loop, assigning a parameter or a ghost, ...).
 */
export function lowerOp(sym: Symbols, decl: OpDecl): LoweredOp {
  return new Lowerer(sym, decl).run();
}

type StepBody = Stmt extends infer S ? (S extends Stmt ? Omit<S, 'loc' | 'label'> : never) : never;

class Lowerer {
  private readonly params = new Map<string, ValueType>();
  private readonly locals = new Map<string, ValueType>();
  /** Every name the source assigns, so that fresh read locals never collide with one. */
  private readonly taken = new Set<string>();
  private readonly freshCount = new Map<string, number>();
  private readonly labels = new Map<string, Stmt[]>();
  private readonly labelSpans = new Map<string, Span>();
  private readonly spans = new WeakMap<Stmt, Span>();
  private loopDepth = 0;

  constructor(
    private readonly sym: Symbols,
    private readonly decl: OpDecl,
  ) {}

  run(): LoweredOp {
    const { sym, decl } = this;
    for (const p of decl.params) {
      if (this.params.has(p.name.text)) {
        const first = decl.params.find((q) => q.name.text === p.name.text)!;
        throw duplicateName(sym.src, p.name.span, 'parameter', p.name.text, first.name.span);
      }
      this.params.set(p.name.text, p.type);
      this.taken.add(p.name.text);
    }
    collectAssigned(decl.body, this.taken);

    const body = this.block(decl.body);
    const op: Op = {
      name: decl.name.text,
      params: decl.params.map((p) => ({ name: p.name.text, type: p.type })),
      returns: decl.returns,
      locals: [...this.locals].map(([name, type]) => ({ name, type })),
      body,
      loc: sym.loc(decl.name.span.start),
      doc: decl.doc,
    };
    if (decl.exclusive) op.exclusive = true;
    return { decl, op, labels: this.labels, spans: this.spans };
  }

  private block(stmts: AstStmt[]): Stmt[] {
    return stmts.flatMap((s) => this.stmt(s));
  }

  /** Makes a step with the statement's label and records its span. */
  private step(body: StepBody, span: Span, label: Name | undefined): Stmt {
    const step = { ...body, loc: this.sym.loc(span.start) } as Stmt;
    if (label !== undefined) {
      step.label = label.text;
      this.labels.get(label.text)!.push(step);
    }
    this.spans.set(step, span);
    return step;
  }

  /** An expression in code: its reads go to `into`, labelled like the statement. */
  private code(into: Stmt[], label: Name | undefined): ExprPlace {
    return {
      kind: 'code',
      local: (name) => this.params.get(name) ?? this.locals.get(name),
      read: (name, span) => {
        const local = this.fresh(name);
        this.locals.set(local, 'int');
        into.push(this.step({ k: 'read', into: local, var: name }, span, label));
        return local;
      },
    };
  }

  private fresh(variable: string): string {
    let n = this.freshCount.get(variable) ?? 0;
    let name: string;
    do name = `${variable}_${++n}`;
    while (this.taken.has(name));
    this.freshCount.set(variable, n);
    this.taken.add(name);
    return name;
  }

  private stmt(s: AstStmt): Stmt[] {
    const { sym } = this;
    if (s.label !== undefined) this.claimLabel(s.label);
    const out: Stmt[] = [];
    const place = this.code(out, s.label);
    const typed = (e: AstExpr, type: ValueType, what: string) =>
      resolveTyped(sym, place, e, type, what);
    const emit = (body: StepBody) => {
      out.push(this.step(body, s.span, s.label));
      return out;
    };

    switch (s.kind) {
      case 'assign':
        return this.assign(s, out, place);
      case 'remove_element':
      case 'backing_alloc':
        this.defineLocal(s.into, 'elem', s.into.span);
        return emit({ k: s.kind, into: s.into.text });
      case 'add_element':
        return emit({ k: 'add_element', expr: typed(s.expr, 'elem', 'the element to add') });
      case 'backing_free':
        return emit({ k: 'backing_free', expr: typed(s.expr, 'elem', 'the element to free') });
      case 'lock':
      case 'unlock':
        requireKnown(sym.src, s.target, sym.locks, 'lock');
        return emit({ k: s.kind, lock: s.target.text });
      case 'enqueue':
      case 'dequeue':
      case 'sleep':
      case 'wake':
        requireKnown(sym.src, s.target, sym.queues, 'wait queue');
        return emit({ k: s.kind, queue: s.target.text });
      case 'fence':
        return emit({ k: 'fence', fence: s.fence });
      case 'ghost': {
        requireKnown(sym.src, s.name, sym.ghosts, 'ghost');
        const local = (n: string) => this.params.get(n) ?? this.locals.get(n);
        const expr = resolveTyped(sym, { kind: 'ghost', local }, s.expr, 'int', 'a ghost value');
        return emit({ k: 'ghost', name: s.name.text, expr });
      }
      case 'break':
      case 'continue':
        if (this.loopDepth === 0) {
          const hint = 'use it inside `loop` or `while`';
          throw misplaced(sym.src, s.span, `\`${s.kind}\` outside a loop`, hint);
        }
        return emit({ k: s.kind });
      case 'return':
        return emit(this.returnStep(s, place));
      case 'if': {
        const cond = typed(s.cond, 'bool', 'an `if` condition');
        const then = this.block(s.then);
        return emit({ k: 'if', cond, then, else: this.block(s.else) });
      }
      case 'while': {
        const cond = typed(s.cond, 'bool', 'a `while` condition');
        this.loopDepth++;
        const rest = this.block(s.body);
        this.loopDepth--;
        const exit = this.step({ k: 'break' }, s.span, undefined);
        const test = this.step(
          { k: 'if', cond: { k: 'not', arg: cond }, then: [exit], else: [] },
          s.span,
          undefined,
        );
        const reads = out.splice(0);
        return emit({ k: 'loop', body: [...reads, test, ...rest] });
      }
      case 'loop': {
        this.loopDepth++;
        const body = this.block(s.body);
        this.loopDepth--;
        return emit({ k: 'loop', body });
      }
    }
  }

  private assign(s: Extract<AstStmt, { kind: 'assign' }>, out: Stmt[], place: ExprPlace): Stmt[] {
    const { sym } = this;
    const name = s.target.text;
    if (sym.vars.has(name)) {
      const expr = resolveTyped(sym, place, s.expr, 'int', `the value written to \`${name}\``);
      out.push(this.step({ k: 'write', var: name, expr }, s.span, s.label));
      return out;
    }
    const typed = resolveExpr(sym, place, s.expr);
    this.defineLocal(s.target, typed.type, s.expr.span);
    out.push(this.step({ k: 'let', name, expr: typed.expr }, s.span, s.label));
    return out;
  }

  private returnStep(s: Extract<AstStmt, { kind: 'return' }>, place: ExprPlace): StepBody {
    const { sym, decl } = this;
    if (s.expr === undefined) {
      if (decl.returns !== 'void') {
        throw misplaced(
          sym.src,
          s.span,
          `\`${decl.name.text}\` returns ${describeType(decl.returns)}, ` +
            'so `return` needs a value',
          `write \`return <${decl.returns}>\``,
        );
      }
      return { k: 'return' };
    }
    if (decl.returns === 'void') {
      throw misplaced(
        sym.src,
        s.expr.span,
        `\`${decl.name.text}\` returns nothing, so \`return\` takes no value`,
        'remove the value, or declare a result type: `op name(...) -> int`',
      );
    }
    const expr: Expr = resolveTyped(sym, place, s.expr, decl.returns, 'the returned value');
    return { k: 'return', expr };
  }

  /** Makes `name` a local of `type`, rejecting names that already mean something else. */
  private defineLocal(name: Name, type: ValueType, valueSpan: Span): void {
    const { sym } = this;
    const text = name.text;
    const clash = this.params.has(text)
      ? 'an operation parameter'
      : sym.vars.has(text)
        ? 'a shared variable'
        : sym.ghosts.has(text)
          ? 'a ghost'
          : sym.params.has(text)
            ? 'a spec parameter'
            : undefined;
    if (clash !== undefined) {
      const hint = sym.ghosts.has(text) ? `write \`ghost ${text} = ...\`` : 'use a new local name';
      throw misplaced(sym.src, name.span, `cannot assign to \`${text}\`: it is ${clash}`, hint);
    }
    const existing = this.locals.get(text);
    if (existing !== undefined && existing !== type) {
      throw typeMismatch(
        sym.src,
        valueSpan,
        describeType(existing),
        describeType(type),
        `the value of local \`${text}\``,
      );
    }
    if (existing === undefined) this.locals.set(text, type);
  }


  private claimLabel(label: Name): void {
    const first = this.labelSpans.get(label.text);
    if (first !== undefined) {
      throw duplicateName(this.sym.src, label.span, 'label', label.text, first);
    }
    this.labelSpans.set(label.text, label.span);
    this.labels.set(label.text, []);
  }
}

/** Adds every name the statements assign a local to. */
function collectAssigned(stmts: AstStmt[], into: Set<string>): void {
  for (const s of stmts) {
    if (s.kind === 'assign') into.add(s.target.text);
    else if (s.kind === 'remove_element' || s.kind === 'backing_alloc') into.add(s.into.text);
    else if (s.kind === 'if') {
      collectAssigned(s.then, into);
      collectAssigned(s.else, into);
    } else if (s.kind === 'while' || s.kind === 'loop') collectAssigned(s.body, into);
  }
}
