import type { BinOp, Edge, Expr, FenceKind, Op, Stmt, ValueType } from '../ir.ts';
import type { EmitContext } from './reference-access.ts';
import { checkName } from './reference-layout.ts';
import { commentText } from './templates.ts';

/**
 * Emits the bodies of the reference pool's methods from the IR's steps, one spec step to
 * one or two lines of TypeScript. The same emitter serves both builds; the context's
 * `Access` decides whether a shared access is spelled with `Atomics` or through `Memory`.
 */

/** How names that are not locals are spelled inside one method. */
export interface Scope {
  op: Op;
  /** Spec-parameter and op-parameter name -> TS expression. */
  params: Map<string, string>;
  /** Local or op-parameter name -> TS expression. */
  locals: Map<string, string>;
  /** Queue name -> the local that holds the sequence number read at enqueue. */
  tickets: Map<string, string>;
}

const INDENT = '  ';
const WIDTH = 100;

/** Names a generated method body may not give a spec local: JS words and globals it uses. */
const TAKEN = new Set([
  'Atomics', 'Math', 'Infinity', 'NaN', 'undefined', 'arguments', 'eval', 'options', 'this',
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default',
  'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function',
  'if', 'implements', 'import', 'in', 'instanceof', 'interface', 'let', 'new', 'null',
  'package', 'private', 'protected', 'public', 'return', 'static', 'super', 'switch', 'throw',
  'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
]);

/** `new_min_nr` -> `newMinNr`; a leading underscore stays. */
export function camelName(name: string): string {
  return name.replace(/(?<=[A-Za-z0-9])_+([A-Za-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The TS type of a spec value type: elements are handles, 0 is null. */
export function tsType(type: ValueType | 'void'): string {
  return type === 'bool' ? 'boolean' : type === 'void' ? 'void' : 'number';
}

/**
 * Builds the scope of one method: op parameters become TS parameters (or, for `create`,
 * fields of the options), locals get camelCase names, each queue the op enqueues on gets a
 * ticket local. A name in `moduleNames` (the generated module's own constants and functions)
 * or a JS keyword gets a trailing underscore; two names that would collide in TS throw.
 */
export function makeScope(op: Op, params: Map<string, string>, moduleNames: Set<string>):
  Scope {
  const seen = new Map<string, string>();
  const claim = (specName: string, what: string): string => {
    checkName(specName, what);
    let ts = camelName(specName);
    if (TAKEN.has(ts) || moduleNames.has(ts)) ts = `${ts}_`;
    const other = seen.get(ts);
    if (other !== undefined) {
      throw new Error(`reference: in ${op.name}, '${specName}' and '${other}' both become ${ts}`);
    }
    seen.set(ts, specName);
    return ts;
  };
  // The IR names an op parameter as a local (the model binds both alike); a `param`
  // expression may name one too.
  const scopeParams = new Map(params);
  const locals = new Map<string, string>();
  for (const p of op.params) {
    const name = scopeParams.get(p.name) ?? claim(p.name, 'parameter');
    scopeParams.set(p.name, name);
    locals.set(p.name, name);
  }
  for (const l of op.locals) locals.set(l.name, claim(l.name, 'local'));
  const tickets = new Map<string, string>();
  for (const queue of enqueuedQueues(op.body)) {
    tickets.set(queue, claim(`${queue.replace(/\./g, '_')}_ticket`, 'queue ticket'));
  }
  return { op, params: scopeParams, locals, tickets };
}

function enqueuedQueues(body: Stmt[]): string[] {
  const queues: string[] = [];
  const walk = (stmts: Stmt[]): void => {
    for (const st of stmts) {
      if (st.k === 'enqueue' && !queues.includes(st.queue)) queues.push(st.queue);
      if (st.k === 'if') {
        walk(st.then);
        walk(st.else);
      }
      if (st.k === 'loop') walk(st.body);
    }
  };
  walk(body);
  return queues;
}

/** The lines of a method body at `depth` levels of indentation: locals, then the steps. */
export function emitBody(ctx: EmitContext, scope: Scope, depth: number): string[] {
  const pad = INDENT.repeat(depth);
  const lines: string[] = [];
  for (const l of scope.op.locals) {
    lines.push(`${pad}let ${scope.locals.get(l.name)} = ${l.type === 'bool' ? 'false' : '0'};`);
  }
  for (const ticket of scope.tickets.values()) lines.push(`${pad}let ${ticket} = 0;`);
  if (lines.length > 0) lines.push('');
  lines.push(...emitBlock(ctx, scope, scope.op.body, depth));
  return lines;
}

function emitBlock(ctx: EmitContext, scope: Scope, stmts: Stmt[], depth: number): string[] {
  return stmts.flatMap((st) => emitStmt(ctx, scope, st, depth));
}

function emitStmt(ctx: EmitContext, scope: Scope, st: Stmt, depth: number): string[] {
  const pad = INDENT.repeat(depth);
  const { access, layout } = ctx;
  const expr = (e: Expr): string => emitExpr(e, scope);
  const local = (name: string): string => lookup(scope.locals, name, 'local', scope);
  const tag = st.label ? ` // @${commentText(scope.op.name)}.${commentText(st.label)}` : '';
  const one = (code: string): string[] => [`${pad}${code}${tag}`];

  switch (st.k) {
    case 'let':
      return one(`${local(st.name)} = ${expr(st.expr)};`);
    case 'read': {
      const word = lookup(layout.varWord, st.var, 'shared variable', scope);
      const load = layout.atomicVars.has(st.var) ? access.load(word) : access.get(word);
      return one(`${local(st.into)} = ${load};`);
    }
    case 'write': {
      const word = lookup(layout.varWord, st.var, 'shared variable', scope);
      const value = expr(st.expr);
      return one(`${layout.atomicVars.has(st.var) ? access.store(word, value)
        : access.set(word, value)};`);
    }
    case 'lock':
      return one(`this.lock(${lookup(layout.lockWord, st.lock, 'lock', scope)});`);
    case 'unlock':
      return one(`this.unlock(${lookup(layout.lockWord, st.lock, 'lock', scope)});`);
    case 'fence':
      return fenceComment(ctx, scope.op.name, st.fence, st.label, depth);
    case 'remove_element':
      return one(`${local(st.into)} = this.removeElement();`);
    case 'add_element':
      return one(`this.addElement(${expr(st.expr)});`);
    case 'backing_alloc':
      return one(`${local(st.into)} = this.backing.alloc();`);
    case 'backing_free':
      return one(`this.backing.free(${expr(st.expr)});`);
    case 'enqueue': {
      const words = queueWords(ctx, st.queue, scope);
      const ticket = lookup(scope.tickets, st.queue, 'queue', scope);
      return [
        ...one(`${ticket} = ${access.load(words.seq)};`),
        `${pad}${access.add(words.waiters, '1')};`,
      ];
    }
    case 'sleep': {
      const words = queueWords(ctx, st.queue, scope);
      const ticket = scope.tickets.get(st.queue);
      if (ticket === undefined) {
        throw new Error(`reference: ${scope.op.name} sleeps on ${st.queue} without enqueue`);
      }
      // Atomics.wait returns at once if a wake bumped the word after the enqueue.
      return one(`${access.wait(words.seq, ticket, 'this.sleepTimeoutMs')};`);
    }
    case 'dequeue':
      return one(`${access.sub(queueWords(ctx, st.queue, scope).waiters, '1')};`);
    case 'wake': {
      const words = queueWords(ctx, st.queue, scope);
      return one(`this.wake(${words.seq}, ${words.waiters});`);
    }
    case 'ghost':
      return [];
    case 'if':
      return emitIf(ctx, scope, st, depth, tag);
    case 'loop':
      return [
        `${pad}for (;;) {${tag}`,
        ...emitBlock(ctx, scope, st.body, depth + 1),
        `${pad}}`,
      ];
    case 'break':
      return one('break;');
    case 'continue':
      return one('continue;');
    case 'return':
      return one(emitReturn(scope, st.expr));
  }
}

function emitIf(ctx: EmitContext, scope: Scope, st: Extract<Stmt, { k: 'if' }>, depth: number,
  tag: string): string[] {
  const pad = INDENT.repeat(depth);
  const lines = [`${pad}if (${emitExpr(st.cond, scope)}) {${tag}`];
  lines.push(...emitBlock(ctx, scope, st.then, depth + 1));
  let rest = st.else;
  // An else holding exactly one unlabelled if reads best as `else if`.
  while (rest.length === 1 && rest[0].k === 'if' && !rest[0].label) {
    const inner = rest[0];
    lines.push(`${pad}} else if (${emitExpr(inner.cond, scope)}) {`);
    lines.push(...emitBlock(ctx, scope, inner.then, depth + 1));
    rest = inner.else;
  }
  if (rest.length > 0) {
    lines.push(`${pad}} else {`);
    lines.push(...emitBlock(ctx, scope, rest, depth + 1));
  }
  lines.push(`${pad}}`);
  return lines;
}

function emitReturn(scope: Scope, value: Expr | undefined): string {
  const { op } = scope;
  if (op.returns === 'void') {
    if (value) throw new Error(`reference: ${op.name} returns nothing but a step returns a value`);
    return 'return;';
  }
  if (!value) throw new Error(`reference: ${op.name} must return a ${op.returns}`);
  return `return ${emitExpr(value, scope)};`;
}

function queueWords(ctx: EmitContext, queue: string, scope: Scope): { seq: string;
  waiters: string } {
  return lookup(ctx.layout.queueWords, queue, 'queue', scope);
}

function lookup<T>(map: Map<string, T>, name: string, what: string, scope: Scope): T {
  const found = map.get(name);
  if (found === undefined) {
    throw new Error(`reference: ${scope.op.name} names no ${what} '${name}'`);
  }
  return found;
}

const PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6,
};
const OPPOSITE: Partial<Record<BinOp, BinOp>> = {
  '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==',
};
const UNARY = 7;
const ATOM = 8;

/** An expression of an op body as TS; null is the handle 0. */
export function emitExpr(e: Expr, scope: Scope): string {
  return emitPrec(e, scope).code;
}

function emitPrec(e: Expr, scope: Scope): { code: string; prec: number } {
  switch (e.k) {
    case 'num':
      return { code: String(e.value), prec: e.value < 0 ? UNARY : ATOM };
    case 'bool':
      return { code: String(e.value), prec: ATOM };
    case 'null':
      return { code: '0', prec: ATOM };
    case 'local':
      return { code: lookup(scope.locals, e.name, 'local', scope), prec: ATOM };
    case 'param':
      return { code: lookup(scope.params, e.name, 'parameter', scope), prec: ATOM };
    case 'not': {
      // Values are integers, booleans and handles (never NaN), so a negated comparison is
      // the opposite comparison, which reads better: `while x < y` lowers to `if !(x < y)`.
      const opposite = e.arg.k === 'bin' ? OPPOSITE[e.arg.op] : undefined;
      if (e.arg.k === 'bin' && opposite) return emitPrec({ ...e.arg, op: opposite }, scope);
      const arg = emitPrec(e.arg, scope);
      return { code: `!${arg.prec < UNARY ? `(${arg.code})` : arg.code}`, prec: UNARY };
    }
    case 'call':
      return {
        code: `Math.${e.fn}(${e.args.map((a) => emitExpr(a, scope)).join(', ')})`,
        prec: ATOM,
      };
    case 'bin': {
      const prec = PRECEDENCE[e.op];
      const left = emitPrec(e.left, scope);
      const right = emitPrec(e.right, scope);
      const l = left.prec < prec ? `(${left.code})` : left.code;
      const r = right.prec <= prec ? `(${right.code})` : right.code;
      const op = e.op === '==' ? '===' : e.op === '!=' ? '!==' : e.op;
      return { code: `${l} ${op} ${r}`, prec };
    }
    case 'shared':
    case 'ghost':
    case 'waiters':
      // The IR only lets invariants and ghost updates name these; the pool reads memory in
      // `read` steps.
      throw new Error(`reference: ${scope.op.name}: an expression names ${e.k} state directly`);
  }
}

const FENCE_DOES: Record<FenceKind, string> = {
  wmb: 'smp_wmb() orders this thread\'s earlier stores before its later ones.',
  rmb: 'smp_rmb() orders this thread\'s earlier loads before its later ones.',
  mb: 'smp_mb() orders all of this thread\'s earlier accesses before all of its later ones.',
};

/** The comment that stands for a barrier step: what it does in the kernel, why JS needs no code. */
function fenceComment(ctx: EmitContext, opName: string, fence: FenceKind,
  label: string | undefined, depth: number): string[] {
  const where = label ? `@${opName}.${label}: ` : '';
  const edges = label ? edgesAt(ctx.ir.edges, opName, label) : [];
  const pairs = edges.map((edge) => {
    const other = edge.from.at.op === opName && edge.from.at.label === label ? edge.to : edge.from;
    return `Edge ${edge.name}: pairs with ${other.barrier} at @${other.at.op}.${other.at.label} ` +
      `and protects ${edge.protects}.`;
  });
  const protectedVars = [...new Set(edges.map((edge) => edge.protects))];
  const why = protectedVars.length > 0
    ? `JavaScript has no fences and needs none here: ${protectedVars.join(', ')} is only ever ` +
      'accessed with Atomics, which are sequentially consistent, so those accesses are ' +
      'already ordered with every other Atomics access of this thread. The element handle is ' +
      'another matter: it must reach the other thread through a synchronizing channel (see ' +
      'the module comment).'
    : 'JavaScript has no fences and needs none here: the shared accesses around this step are ' +
      'Atomics, which are sequentially consistent, or plain accesses inside the pool lock.';
  const text = [where + FENCE_DOES[fence], ...pairs, why].map(commentText).join(' ');
  return wrapComment(text, INDENT.repeat(depth));
}

function edgesAt(edges: Edge[], op: string, label: string): Extract<Edge, { kind: 'barrier' }>[] {
  const at = (ref: { op: string; label: string }): boolean => ref.op === op && ref.label === label;
  return edges.filter((e): e is Extract<Edge, { kind: 'barrier' }> =>
    e.kind === 'barrier' && (at(e.from.at) || at(e.to.at)));
}

/** `// ` comment lines holding `text`, wrapped to fit the line width at `pad`. */
export function wrapComment(text: string, pad: string, prefix = '// '): string[] {
  return wrapText(text, WIDTH - pad.length - prefix.length).map((l) => `${pad}${prefix}${l}`);
}

/** `text` (comment-safe already) broken into lines of at most `room` columns, at spaces. */
export function wrapText(text: string, room: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}
