/**
 * The spec's scenarios and happens-before edges as litmus tests.
 *
 * Every scenario becomes one test: its client program with each operation call inlined
 * (`inline.ts`), its start state as the init block and its outcome as the `exists` clause
 * (`outcome.ts`). Every edge becomes the test of its witness scenario, plus one test per
 * barrier of the edge with that barrier taken out, which shows that the barrier is needed:
 *
 * - a `barrier` edge loses the labelled `smp_wmb`/`smp_rmb`/`smp_mb` on one side at a time.
 *   When the writer side is a `spin_unlock`, there is nothing to delete (removing the unlock
 *   would remove the critical section, not a barrier), so only the reader side is ablated;
 *   likewise a reader side that is a `spin_lock`.
 * - a `lock` edge has its labelled step (the wait-queue join) moved out of the critical
 *   section, to just after the next unlock of that lock.
 *
 * Names follow the kernel convention through `compactName`, with `mempool-<scenario>` as the
 * pattern of a scenario test and `mempool-<edge>` (plus `-no-<barrier>` for an ablation) for
 * an edge test, so names are distinct and stay the same from one run to the next.
 */

import type { ClientStmt, Edge, LabelRef, Op, Scenario, SpecIR, Stmt } from '../ir.ts';
import {
  assignedRegs, inlineThread, type Ablation, type InlinedProc, type InlineInput, type Knowledge,
} from './inline.ts';
import { compactName } from './naming.ts';
import { cIdent, existsClause, litmusNames, outcomeRegs, scenarioStart } from './outcome.ts';
import { lowerComparisons } from './ranges.ts';
import type { LCond, LInstr, LitmusTest } from './types.ts';

/** One compiled litmus test and what it stands for. */
export interface CompiledLitmus {
  /** The kernel-C-level program (once accesses, fences, spin locks). */
  test: LitmusTest;
  kind: 'scenario' | 'edge';
  /** The scenario it comes from (for an edge, its witness). */
  scenario: string;
  /** For edge tests, the edge. */
  edge?: string;
  /** Barriers removed for this ablation (`wmb`, `rmb`, `mb`, or `lock`); [] = as the spec has it. */
  removed: string[];
  /**
   * What the spec says of the outcome: the scenario's `never`/`sometimes` when nothing is
   * removed; `sometimes` for an ablation, since an edge claims each of its barriers is needed.
   */
  expect: 'never' | 'sometimes';
  /** Variables whose accesses an edge of the spec protects (Atomics in JavaScript). */
  protectedVars: string[];
}

/** Every scenario test, then every edge's witness test and its ablations, in spec order. */
export function compileLitmus(ir: SpecIR): CompiledLitmus[] {
  const protectedVars = [...new Set(ir.edges.map((e) => cIdent(e.protects)))];
  const out: CompiledLitmus[] = [];
  for (const scenario of ir.scenarios) {
    const test = compileScenario(ir, scenario, {
      pattern: `mempool-${slug(scenario.name)}`,
      doc: wrap(scenario.doc),
    });
    out.push({ test, kind: 'scenario', scenario: scenario.name, removed: [],
      expect: scenario.expect, protectedVars });
  }
  for (const edge of ir.edges) {
    const scenario = ir.scenarios.find((s) => s.name === edge.witness);
    if (!scenario) throw new Error(`litmus: edge ${edge.name}: no witness scenario ${edge.witness}`);
    const pattern = `mempool-${slug(edge.name)}`;
    const about = [...wrap(`Edge ${edge.name}: ${edge.doc}`), '',
      ...wrap(`Witness, scenario ${scenario.name}: ${scenario.doc}`), ...edgeNotes(edge)];
    const common = { kind: 'edge' as const, scenario: scenario.name, edge: edge.name,
      protectedVars };
    out.push({ ...common, removed: [], expect: scenario.expect,
      test: compileScenario(ir, scenario, { pattern, doc: about }) });
    for (const cut of ablations(ir, edge)) {
      const test = compileScenario(ir, scenario, {
        pattern: `${pattern}-no-${cut.tag}`,
        doc: [...wrap(cut.what), '', ...about],
        ablation: cut.ablation,
      });
      out.push({ ...common, removed: [cut.removed], expect: 'sometimes', test });
    }
  }
  return withDistinctNames(out);
}

/** How `compileScenario` compiles and names a test. */
export interface ScenarioOptions {
  /** The kernel-style name's pattern; the default is `mempool-<scenario>`. */
  pattern?: string;
  /** Explanation lines; notes on sleeping and bounded loops are added after them. */
  doc?: string[];
  ablation?: Ablation;
  /**
   * Whether to fold what a first translation shows (variables only one process writes, a
   * backing allocator nobody gives back to) into a second one. Default true; false gives the
   * plain translation, with every shared read kept. The plain one grows exponentially with
   * the calls a thread makes: no read's value is known, so both branches of every test stay,
   * and each inlines the rest of the thread (three resizes at min_nr=0 capacity=2: 216 KB of
   * program, 3 s to compile). gen always folds.
   */
  fold?: boolean;
}

/** Translations at most, each folding in what the previous one showed. */
const MAX_PASSES = 4;

/** One scenario as a litmus test (see the module comment). */
export function compileScenario(ir: SpecIR, scenario: Scenario,
  options: ScenarioOptions = {}): LitmusTest {
  const names = litmusNames(ir, scenario);
  const { init, handedOut } = scenarioStart(ir, scenario, names);
  const input: InlineInput = {
    ir, scenario, names, init, ablation: options.ablation,
    hopelessCalls: hopelessCalls(ir, scenario, (init.get(names.backing) ?? 0) + handedOut),
  };
  const translate = (knowledge?: Knowledge): InlinedProc[] =>
    scenario.threads.map((_, t) => inlineThread({ ...input, knowledge }, t));

  let procs = translate();
  let knowledge: Knowledge | undefined;
  for (let pass = 1; options.fold !== false && pass < MAX_PASSES; pass++) {
    const learned = learn(procs);
    if (knowledge !== undefined && sameKnowledge(knowledge, learned)) break;
    knowledge = learned;
    procs = translate(knowledge);
  }
  if (options.ablation && procs.every((p) => p.ablationHits === 0)) {
    const { at } = options.ablation;
    throw new Error(`litmus: scenario ${scenario.name} never reaches @${at.op}.${at.label}, ` +
      'so removing it changes nothing');
  }

  const exists = withCutoffs(existsClause(scenario, names, ir), procs);
  const notes = [
    ...(procs.some((p) => p.sleeps) ? [SLEEP_NOTE] : []),
    ...(procs.some((p) => p.cutoff !== null) ? [CUTOFF_NOTE] : []),
  ];
  const draft: LitmusTest = {
    name: '',
    doc: [...(options.doc ?? wrap(scenario.doc)), ...notes.flatMap((n) => ['', ...wrap(n)])],
    vars: [],
    locks: [],
    procs: procs.map((p) => ({ regs: p.regs, body: p.body })),
    exists,
  };
  const lowered = lowerComparisons({ ...draft, vars: [...init].map(([name, v]) => ({ name, init: v })) });
  const regsNamed = outcomeRegs(scenario);
  const finalProcs = lowered.procs.map((proc, t) => ({
    regs: declaredRegs(proc.body, [...(regsNamed.get(t) ?? []), procs[t].cutoff ?? '']),
    body: proc.body,
  }));
  const used = usedNames(finalProcs.map((p) => p.body), exists);
  const test: LitmusTest = {
    ...lowered,
    vars: [...init].filter(([name]) => used.vars.has(name)).map(([name, v]) => ({ name, init: v })),
    locks: [...ir.state.locks.map((l) => names.lock(l.name)), names.backingLock]
      .filter((l) => used.locks.has(l)),
    procs: finalProcs,
  };
  const pattern = options.pattern ?? `mempool-${slug(scenario.name)}`;
  return { ...test, name: asciiName(compactName(pattern, test.procs)) };
}

const SLEEP_NOTE = 'A thread that goes to sleep on the wait queue stops there: herd7 cannot ' +
  'model a wakeup, so in the final state it is a thread still on the queue.';
const CUTOFF_NOTE = 'A thread that would run a loop again in a state it has already run it in ' +
  'stops there and sets its cutoff register; the exists clause leaves those executions out, ' +
  'as a filter would.';

/**
 * Calls whose backing allocations cannot succeed although other threads may free to the
 * backing allocator: it starts with nothing to hand out, no element is out at the start,
 * and this is the only call in the scenario that can obtain elements (and it frees none
 * itself). Then every element any thread frees comes out of this call, after it returned,
 * so nothing reaches the backing allocator before its allocations.
 */
function hopelessCalls(ir: SpecIR, scenario: Scenario, available: number): Set<ClientStmt> {
  if (available > 0) return new Set();
  const ops = new Map(ir.ops.map((op) => [op.name, op]));
  const sources = clientCalls(scenario).filter((call) => {
    const op = ops.get(call.op);
    return op !== undefined && hasStep(op.body, (s) =>
      s.k === 'backing_alloc' || s.k === 'remove_element');
  });
  if (sources.length !== 1) return new Set();
  const op = ops.get(sources[0].op) as Op;
  return hasStep(op.body, (s) => s.k === 'backing_free') ? new Set() : new Set(sources);
}

function learn(procs: InlinedProc[]): Knowledge {
  const writers = new Map<string, Set<number>>();
  const visit = (body: readonly LInstr[], p: number): void => {
    for (const instr of body) {
      if (instr.k === 'write') writers.set(instr.var, (writers.get(instr.var) ?? new Set()).add(p));
      else if (instr.k === 'if') [instr.then, instr.else].forEach((b) => visit(b, p));
    }
  };
  procs.forEach((proc, p) => visit(proc.body, p));
  const backingFreers = new Set(procs.flatMap((proc, p) => (proc.freesToBacking ? [p] : [])));
  return { writers, backingFreers };
}

function sameKnowledge(a: Knowledge, b: Knowledge): boolean {
  const show = (k: Knowledge): string => JSON.stringify([
    [...k.writers].map(([v, ps]) => [v, [...ps].sort()]).sort(),
    [...k.backingFreers].sort(),
  ]);
  return show(a) === show(b);
}

function withCutoffs(exists: LCond, procs: InlinedProc[]): LCond {
  const cutoffs = procs.flatMap((p, proc): LCond[] =>
    p.cutoff === null ? [] : [{ k: 'reg', proc, reg: p.cutoff, value: 0 }]);
  return cutoffs.length === 0 ? exists : { k: 'and', args: [exists, ...cutoffs] };
}

/** Registers the body assigns, then the ones `extra` names that it does not (they stay 0). */
function declaredRegs(body: LInstr[], extra: string[]): string[] {
  const regs = assignedRegs(body);
  for (const r of extra) if (r !== '' && !regs.includes(r)) regs.push(r);
  return regs;
}

function usedNames(bodies: LInstr[][], exists: LCond): { vars: Set<string>; locks: Set<string> } {
  const vars = new Set<string>();
  const locks = new Set<string>();
  const visit = (body: readonly LInstr[]): void => {
    for (const instr of body) {
      if (instr.k === 'read' || instr.k === 'write') vars.add(instr.var);
      else if (instr.k === 'lock' || instr.k === 'unlock') locks.add(instr.lock);
      else if (instr.k === 'if') [instr.then, instr.else].forEach(visit);
    }
  };
  bodies.forEach(visit);
  const cond = (c: LCond): void => {
    if (c.k === 'var') vars.add(c.var);
    else if (c.k === 'and' || c.k === 'or') c.args.forEach(cond);
    else if (c.k === 'not') cond(c.arg);
  };
  cond(exists);
  return { vars, locks };
}

// ---- edges ---------------------------------------------------------------------------------

interface Cut {
  ablation: Ablation;
  /** The `removed` entry. */
  removed: string;
  /** The name's suffix after `-no-`. */
  tag: string;
  /** The first doc line: what is taken out, in words. */
  what: string;
}

/** The ablations of an edge, one per barrier that can be taken out. */
function ablations(ir: SpecIR, edge: Edge): Cut[] {
  if (edge.kind === 'lock') {
    stepAt(ir, edge.from, edge.name);
    return [{
      ablation: { kind: 'move-out', at: edge.from, lock: edge.lock },
      removed: 'lock',
      tag: 'lock',
      what: `With @${edge.from.op}.${edge.from.label} moved out of its ${edge.lock} critical ` +
        'section, to just after the spin_unlock() that ends it.',
    }];
  }
  const sides = [
    { barrier: edge.from.barrier, at: edge.from.at },
    { barrier: edge.to.barrier, at: edge.to.at },
  ];
  const fences = sides.filter((side) => side.barrier !== 'unlock' && side.barrier !== 'lock');
  const ambiguous = fences.length === 2 && fences[0].barrier === fences[1].barrier;
  return fences.map(({ barrier, at }) => {
    const step = stepAt(ir, at, edge.name);
    if (step.k !== 'fence' || step.fence !== barrier) {
      throw new Error(`litmus: edge ${edge.name}: @${at.op}.${at.label} is not an smp_${barrier}()`);
    }
    return {
      ablation: { kind: 'drop-fence', at },
      removed: barrier,
      tag: ambiguous ? `${barrier}-${slug(at.op)}` : barrier,
      what: `Without the smp_${barrier}() at @${at.op}.${at.label}.`,
    };
  });
}

function edgeNotes(edge: Edge): string[] {
  if (edge.kind !== 'barrier') return [];
  const fixed = [edge.from.barrier === 'unlock' ? 'writer' : '', edge.to.barrier === 'lock' ? 'reader' : '']
    .filter((side) => side !== '');
  return fixed.length === 0 ? [] : ['', ...wrap(`The ${fixed.join(' and ')} side of this edge is ` +
    'a spin lock operation, which cannot be taken out without taking out the critical ' +
    'section itself; the edge has no ablation on that side.')];
}

function stepAt(ir: SpecIR, at: LabelRef, edge: string): Stmt {
  const op = ir.ops.find((o) => o.name === at.op);
  let found: Stmt | undefined;
  if (op) hasStep(op.body, (s) => (s.label === at.label ? ((found = s), true) : false));
  if (!found) throw new Error(`litmus: edge ${edge}: no step @${at.op}.${at.label}`);
  return found;
}

// ---- small helpers -------------------------------------------------------------------------

function hasStep(body: readonly Stmt[], test: (s: Stmt) => boolean): boolean {
  return body.some((s) => test(s) ||
    (s.k === 'if' && (hasStep(s.then, test) || hasStep(s.else, test))) ||
    (s.k === 'loop' && hasStep(s.body, test)));
}

function clientCalls(scenario: Scenario): Extract<ClientStmt, { k: 'call' }>[] {
  const calls: Extract<ClientStmt, { k: 'call' }>[] = [];
  const visit = (st: ClientStmt): void => {
    if (st.k === 'call') calls.push(st);
    else if (st.k === 'if') [...st.then, ...st.else].forEach(visit);
  };
  scenario.threads.forEach((t) => t.body.forEach(visit));
  return calls;
}

/** A spec name as part of a test name: `reserve_handoff` becomes `reserve-handoff`. */
function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9.]+/g, '-');
}

function asciiName(name: string): string {
  return name.replace(/[^A-Za-z0-9+_.-]/g, '-');
}

/** Two tests that would share a name get `-2`, `-3`, ... on the later one's pattern. */
function withDistinctNames(tests: CompiledLitmus[]): CompiledLitmus[] {
  const seen = new Set<string>();
  return tests.map((c) => {
    let name = c.test.name;
    for (let n = 2; seen.has(name); n++) {
      const [pattern, ...rest] = c.test.name.split('+');
      name = [`${pattern}-${n}`, ...rest].join('+');
    }
    seen.add(name);
    return name === c.test.name ? c : { ...c, test: { ...c.test, name } };
  });
}

/** Text as comment lines of at most 70 columns. */
function wrap(text: string, width = 70): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
