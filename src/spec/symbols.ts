/**
 * The declarations of a spec, collected into name tables with duplicates rejected.
 *
 * Namespaces: spec parameters; pool state (locks, wait queues, shared variables, ghosts, the
 * reserve and the backing allocator share one, so that a name means one thing in an
 * expression); operations; properties (invariants and liveness); edges; scenarios.
 * A shared variable may share its name with a spec parameter (`min_nr`): in code the
 * variable wins, and in the initial values of variables and ghosts only parameters count.
 */
import type { Decl, Name, SpecAst, Span } from './ast.ts';
import {
  badDeclaration,
  badRange,
  duplicateName,
  positionOf,
  unknownName,
  type SourceFile,
} from './errors.ts';
import type { Loc } from '../ir.ts';

export type ParamDecl = Extract<Decl, { kind: 'param' }>;
export type LockDecl = Extract<Decl, { kind: 'lock' }>;
export type QueueDecl = Extract<Decl, { kind: 'queue' }>;
export type VarDecl = Extract<Decl, { kind: 'var' }>;
export type ReserveDecl = Extract<Decl, { kind: 'reserve' }>;
export type BackingDecl = Extract<Decl, { kind: 'backing' }>;
export type GhostDecl = Extract<Decl, { kind: 'ghost' }>;
export type OpDecl = Extract<Decl, { kind: 'op' }>;
export type InvariantDecl = Extract<Decl, { kind: 'invariant' }>;
export type LivenessDecl = Extract<Decl, { kind: 'liveness' }>;
export type EdgeDecl = Extract<Decl, { kind: 'edge' }>;
export type ScenarioDecl = Extract<Decl, { kind: 'scenario' }>;

/** Everything the spec declares, by name, plus the source for locating errors. */
export interface Symbols {
  src: SourceFile;
  params: Map<string, ParamDecl>;
  locks: Map<string, LockDecl>;
  queues: Map<string, QueueDecl>;
  vars: Map<string, VarDecl>;
  ghosts: Map<string, GhostDecl>;
  reserve: ReserveDecl;
  backing: BackingDecl;
  ops: Map<string, OpDecl>;
  invariants: InvariantDecl[];
  liveness: LivenessDecl[];
  edges: EdgeDecl[];
  scenarios: Map<string, ScenarioDecl>;
  /** 1-based line and column of a source offset. */
  loc(offset: number): Loc;
}

/** A name table that rejects a second declaration of the same name. */
export class Namespace {
  private readonly seen = new Map<string, Span>();

  constructor(
    private readonly src: SourceFile,
    private readonly kind: string,
  ) {}

  /** Records `name`; throws `duplicate-name` if this namespace already has it. */
  add(name: Name): void {
    const first = this.seen.get(name.text);
    if (first !== undefined) throw duplicateName(this.src, name.span, this.kind, name.text, first);
    this.seen.set(name.text, name.span);
  }
}

/** Throws `unknown-name` unless `table` has `name`; `kind` says what was looked for. */
export function requireKnown(
  src: SourceFile,
  name: Name,
  table: ReadonlyMap<string, unknown>,
  kind: string,
): void {
  if (!table.has(name.text)) throw unknownName(src, name.span, kind, name.text, [...table.keys()]);
}

/**
 * Collects the declarations of `ast` into name tables.
 *
 * @throws SpecError `duplicate-name`, `bad-range`, or `bad-declaration` (no reserve or
 *   backing allocator, or more than one of either).
 */
export function collectSymbols(ast: SpecAst, src: SourceFile): Symbols {
  const stateNames = new Namespace(src, 'the pool state name');
  const spaces = {
    param: new Namespace(src, 'parameter'),
    op: new Namespace(src, 'operation'),
    property: new Namespace(src, 'property'),
    edge: new Namespace(src, 'edge'),
    scenario: new Namespace(src, 'scenario'),
  };
  const params = new Map<string, ParamDecl>();
  const locks = new Map<string, LockDecl>();
  const queues = new Map<string, QueueDecl>();
  const vars = new Map<string, VarDecl>();
  const ghosts = new Map<string, GhostDecl>();
  const ops = new Map<string, OpDecl>();
  const scenarios = new Map<string, ScenarioDecl>();
  const invariants: InvariantDecl[] = [];
  const liveness: LivenessDecl[] = [];
  const edges: EdgeDecl[] = [];
  const reserves: ReserveDecl[] = [];
  const backings: BackingDecl[] = [];

  for (const decl of ast.decls) {
    switch (decl.kind) {
      case 'param':
        spaces.param.add(decl.name);
        if (decl.min > decl.max) throw badRange(src, decl.span, decl.name.text, decl.min, decl.max);
        params.set(decl.name.text, decl);
        break;
      case 'lock':
        stateNames.add(decl.name);
        locks.set(decl.name.text, decl);
        break;
      case 'queue':
        stateNames.add(decl.name);
        queues.set(decl.name.text, decl);
        break;
      case 'var':
        stateNames.add(decl.name);
        vars.set(decl.name.text, decl);
        break;
      case 'ghost':
        stateNames.add(decl.name);
        ghosts.set(decl.name.text, decl);
        break;
      case 'reserve':
        stateNames.add(decl.name);
        reserves.push(decl);
        break;
      case 'backing':
        stateNames.add(decl.name);
        backings.push(decl);
        break;
      case 'op':
        spaces.op.add(decl.name);
        ops.set(decl.name.text, decl);
        break;
      case 'invariant':
        spaces.property.add(decl.name);
        invariants.push(decl);
        break;
      case 'liveness':
        spaces.property.add(decl.name);
        liveness.push(decl);
        break;
      case 'edge':
        spaces.edge.add(decl.name);
        edges.push(decl);
        break;
      case 'scenario':
        spaces.scenario.add(decl.name);
        scenarios.set(decl.name.text, decl);
        break;
    }
  }

  const lineStarts = lineStartsOf(src.text);
  return {
    src,
    params,
    locks,
    queues,
    vars,
    ghosts,
    reserve: exactlyOne(src, ast, reserves, 'reserve', 'reserve elements counted by curr_nr ...'),
    backing: exactlyOne(src, ast, backings, 'backing allocator', 'backing slab limited by ...'),
    ops,
    invariants,
    liveness,
    edges,
    scenarios,
    loc: (offset) => locFrom(lineStarts, offset),
  };
}

function exactlyOne<T extends { span: Span }>(
  src: SourceFile,
  ast: SpecAst,
  found: T[],
  what: string,
  example: string,
): T {
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    const hint = `add one: \`${example}\``;
    throw badDeclaration(src, ast.name.span, `the spec declares no ${what}`, hint);
  }
  throw badDeclaration(
    src,
    found[1].span,
    `the spec declares a second ${what}`,
    `a pool has exactly one ${what}; the first is at ` +
      `${positionOf(src.text, found[0].span.start).line}`,
  );
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function locFrom(lineStarts: number[], offset: number): Loc {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - lineStarts[lo] + 1 };
}
