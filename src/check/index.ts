import type { Param, SpecIR } from '../ir.ts';
import { AblationError, withoutEdges } from './ablate.ts';
import { compileScenario } from './client.ts';
import { Machine } from './machine.ts';
import { Judge, listProperties, type PropertyInfo } from './properties.ts';
import {
  compileOps, type CheckSpecError, type CheckSpecPlace, type CompiledOp,
} from './program.ts';
import { SpecError } from '../spec/errors.ts';
import { bfs, randomWalks, type SearchResult } from './search.ts';
import type { State, Violation } from './state.ts';
import { decodeToken, encodeToken, TokenError, type ConfigRef } from './token.ts';
import { ReplayError, replay, type TraceStep } from './trace.ts';

/**
 * `mempool-spec check`: explores the spec's own interleavings under the memory model and
 * judges its invariants, its liveness property, its scenarios and the checker's built-in
 * safety properties.
 *
 * Configurations: every scenario, then the parameter ranges. In the ranges, each thread
 * makes up to `ops` calls of its choosing (it may stop early), so the largest `threads` and
 * `ops` cover the smaller ones; every other parameter (`min_nr`, `capacity`) is explored
 * value by value, smallest first. The ranges are searched twice, as iterative deepening
 * does: first with the smallest `threads` and `ops`, where most counterexamples already show
 * and a search takes milliseconds, then with the largest. The first pass costs a few
 * percent of the second and finds short traces fast.
 */

/** Options of a check. */
export interface CheckOptions {
  /** Edges to take out (ablation). */
  without?: string[];
  /** Run under sequential consistency instead of the memory model. */
  sc?: boolean;
  /** Per configuration: stop, not exhaustive, after this many states. Default 10 million. */
  stateLimit?: number;
  /** Random walks per configuration of the ranges instead of a breadth-first search. */
  randomWalks?: number;
  seed?: number;
  /** Steps per random walk. Default 200. */
  walkDepth?: number;
  /** Upper bounds that replace a parameter's maximum (e.g. `{ threads: 2 }`). */
  bounds?: Record<string, number>;
  /** Parameters fixed to one value (e.g. `{ min_nr: 1 }`); it must lie in the range. */
  fix?: Record<string, number>;
  /** Search the scenarios only, or the parameter ranges only. */
  only?: 'scenarios' | 'ranges';
  /** Called with a line of progress now and then. */
  onProgress?: (line: string) => void;
}

/** How one configuration went. */
export interface ConfigResult {
  config: ConfigRef;
  label: string;
  verdict: 'holds' | 'counterexample' | 'outcome-missing' | 'state-limit' | 'create-fails';
  states: number;
  transitions: number;
  depth: number;
  seconds: number;
  exhaustive: boolean;
}

/** A property broken, and the shortest way there. */
export interface Counterexample {
  property: string;
  message: string;
  config: ConfigRef;
  configLabel: string;
  threadNames: string[];
  steps: TraceStep[];
  token: string;
  /**
   * What the broken property means for a running system, where the property name alone
   * does not say it: for a dangling waiter, that the timeout of its queue rescues it.
   */
  note?: string;
}

/** Everything a check found. */
export interface CheckResult {
  spec: { name: string; source: string; sha256: string };
  status: 'holds' | 'counterexample' | 'incomplete';
  exhaustive: boolean;
  search: 'breadth-first' | 'random-walk';
  memory: 'views' | 'sc';
  without: string[];
  edges: { name: string; kind: 'barrier' | 'lock'; removed: boolean; doc: string }[];
  properties: PropertyInfo[];
  configs: ConfigResult[];
  /** Sums over the configurations; `depth` is the deepest configuration's. */
  totals: { states: number; transitions: number; seconds: number; statesPerSecond: number;
    depth: number };
  counterexample: Counterexample | null;
  /** Failures without a trace: a `sometimes` outcome never seen, a state limit reached. */
  failures: string[];
}

/** What the memory model cannot show, said wherever verdicts are printed. */
export const MODEL_LIMITS = 'The memory model never lets a read return a write that has not ' +
  'executed yet, so load-buffering outcomes (which the kernel memory model allows) never ' +
  'appear: a `sometimes` outcome that needs one is reported as missing.';

/**
 * Per configuration. The largest configuration of spec/variants/mempool-fixed.mps at its
 * default bounds (min_nr=0 capacity=2 threads≤3 ops≤3) has 4.35 million states; the heap
 * guard (`HEAP_STOP_FRACTION` in search.ts) stops a search that outgrows memory first.
 */
export const DEFAULT_STATE_LIMIT = 10_000_000;

/** Checks `ir`, one configuration after another. */
export function checkSpec(original: SpecIR, opts: CheckOptions = {}): CheckResult {
  const run = startCheck(original, opts);
  searchHere(run, 0, run.configs.length);
  return finish(run);
}

/**
 * Searches the configurations `from` to `to` (excluded) of `run` on this thread, one after
 * another, recording each; returns false once a counterexample ends the check.
 */
export function searchHere(run: CheckRun, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const config = run.configs[i];
    if (!record(run, config, searchConfig(run.ir, run.ops, config, run.opts))) return false;
  }
  return true;
}

/** A check under way: the spec it checks, its configurations and what it found so far. */
export interface CheckRun {
  ir: SpecIR;
  ops: CompiledOp[];
  configs: ConfigRef[];
  opts: CheckOptions;
  started: number;
  result: CheckResult;
}

/** Sets up a check of `original`: the ablated spec, its configurations, an empty result. */
export function startCheck(original: SpecIR, opts: CheckOptions): CheckRun {
  const started = performance.now();
  const without = opts.without ?? [];
  const ir = without.length > 0 ? withoutEdges(original, without) : original;
  const result: CheckResult = {
    spec: { name: ir.name, source: ir.source, sha256: ir.sha256 },
    status: 'holds',
    exhaustive: true,
    search: opts.randomWalks ? 'random-walk' : 'breadth-first',
    memory: opts.sc ? 'sc' : 'views',
    without,
    edges: original.edges.map((e) => ({ name: e.name, kind: e.kind,
      removed: without.includes(e.name), doc: e.doc })),
    properties: listProperties(ir),
    configs: [],
    totals: { states: 0, transitions: 0, seconds: 0, statesPerSecond: 0, depth: 0 },
    counterexample: null,
    failures: [],
  };
  return { ir, ops: compileOps(ir), configs: configurations(ir, opts), opts, started, result };
}

/** What the search of one configuration found: a row of the report, and the search. */
export interface ConfigOutcome {
  row: ConfigResult;
  /** Null when create fails and there is nothing to search. */
  search: SearchResult | null;
}

/** Searches one configuration of `ir` (a worker of `checkSpecParallel` runs this too). */
export function searchConfig(ir: SpecIR, ops: CompiledOp[], config: ConfigRef,
  opts: CheckOptions): ConfigOutcome {
  const machine = buildMachine(ir, ops, config, opts.sc ?? false);
  const t0 = performance.now();
  const initial = machine.initial();
  const label = configLabel(config);
  opts.onProgress?.(`checking ${label}`);
  if (!initial) {
    return { row: { config, label, verdict: 'create-fails', states: 0, transitions: 0,
      depth: 0, seconds: 0, exhaustive: true }, search: null };
  }
  const judge = new Judge(machine);
  const walk = config.kind === 'ranges' && (opts.randomWalks ?? 0) > 0;
  const stateLimit = opts.stateLimit ?? DEFAULT_STATE_LIMIT;
  const search: SearchResult = walk
    ? randomWalks(machine, judge, initial, { walks: opts.randomWalks!, seed: opts.seed ?? 1,
      maxDepth: opts.walkDepth ?? 200, stateLimit })
    : bfs(machine, judge, initial, { stateLimit,
      onProgress: (n) => opts.onProgress?.(`  ${label}: ${n} states`) });
  const seconds = (performance.now() - t0) / 1000;
  return { row: { config, label, verdict: judgeSearch(config, ir, search), states: search.states,
    transitions: search.transitions, depth: search.depth, seconds,
    exhaustive: search.exhaustive }, search };
}

/**
 * Adds one configuration's outcome to the check, in configuration order; returns false once
 * a counterexample ends the check.
 */
export function record(run: CheckRun, config: ConfigRef, outcome: ConfigOutcome): boolean {
  const { result, opts } = run;
  const { row, search } = outcome;
  result.configs.push(row);
  if (search === null) return true;
  result.exhaustive &&= search.exhaustive;
  if (search.violation) {
    const machine = buildMachine(run.ir, run.ops, config, opts.sc ?? false);
    result.counterexample = counterexample(machine, machine.initial()!, config,
      search.violation, run.ir, result.without, opts.sc ?? false);
    result.status = 'counterexample';
    return false;
  }
  const label = row.label;
  if (row.verdict === 'outcome-missing') {
    result.failures.push(`scenario ${config.kind === 'scenario' ? config.name : ''}: the ` +
      'outcome it says may happen never did. ' + MODEL_LIMITS);
    result.status = 'counterexample';
  } else if (row.verdict === 'state-limit' && search.heapFull) {
    result.failures.push(`${label}: stopped after ${search.states} states, before exhausting ` +
      'it, because the heap was nearly full; lower the bounds (--threads, --ops, --param) ' +
      'or use --random-walks');
    if (result.status === 'holds') result.status = 'incomplete';
  } else if (row.verdict === 'state-limit') {
    result.failures.push(`${label}: stopped at the state limit ` +
      `(${opts.stateLimit ?? DEFAULT_STATE_LIMIT} states) before exhausting it; raise ` +
      '--state-limit, lower the bounds, or use --random-walks');
    if (result.status === 'holds') result.status = 'incomplete';
  }
  return true;
}

/** The totals of a check whose configurations are all recorded. */
export function finish(run: CheckRun): CheckResult {
  const { result } = run;
  // Random walks sample only the parameter ranges (`record` has marked those not
  // exhaustive); where none was searched (`--only scenarios`), every search was breadth-first.
  if (result.search === 'random-walk' && !result.configs.some((c) =>
    c.config.kind === 'ranges' && c.verdict !== 'create-fails')) {
    result.search = 'breadth-first';
  }
  const t = result.totals;
  for (const c of result.configs) {
    t.states += c.states;
    t.transitions += c.transitions;
    t.depth = Math.max(t.depth, c.depth);
  }
  t.seconds = (performance.now() - run.started) / 1000;
  t.statesPerSecond = t.seconds > 0 ? Math.round(t.states / t.seconds) : 0;
  return result;
}

function judgeSearch(config: ConfigRef, ir: SpecIR, search: SearchResult): ConfigResult['verdict'] {
  if (search.violation) return 'counterexample';
  if (search.limitHit) return 'state-limit';
  if (config.kind === 'scenario') {
    const scenario = ir.scenarios.find((s) => s.name === config.name)!;
    if (scenario.expect === 'sometimes' && !search.outcomeSeen) return 'outcome-missing';
  }
  return 'holds';
}

/** The most parameter valuations one check explores (each is a search of its own). */
export const MAX_CONFIGURATIONS = 1000;

/** The configurations of a check, in the order they are searched. */
export function configurations(ir: SpecIR,
  opts: Pick<CheckOptions, 'bounds' | 'fix' | 'only'> = {}): ConfigRef[] {
  const configs: ConfigRef[] = opts.only === 'ranges' ? []
    : ir.scenarios.map((s) => ({ kind: 'scenario', name: s.name }));
  if (opts.only === 'scenarios') return configs;
  const upTo = new Set(['threads', 'ops']);
  const perParam = ir.params.map((p) => {
    const fixed = opts.fix?.[p.name];
    if (fixed !== undefined && (fixed < p.min || fixed > p.max)) {
      throw new AblationError(`parameter ${p.name}=${fixed} is outside its range ` +
        `${p.min}..${p.max}`);
    }
    const max = Math.min(p.max, opts.bounds?.[p.name] ?? p.max);
    const count = fixed !== undefined || upTo.has(p.name) ? 1 : Math.max(0, max - p.min + 1);
    return { p, fixed, max, count };
  });
  // Counted before any is built: a range like 0..1000000 would otherwise fill the heap
  // with valuations before the first state is explored.
  const total = 2 * perParam.reduce((n, { count }) => n * count, 1);
  if (total > MAX_CONFIGURATIONS) {
    const sizes = perParam.filter(({ count }) => count > 1)
      .map(({ p, count }) => `${p.name} ${count}`).join(' x ');
    throw new AblationError(`the parameter ranges give up to ${total} configurations ` +
      `(${sizes}, then twice: smallest and largest threads and ops); ` +
      `check explores at most ${MAX_CONFIGURATIONS}: narrow the ranges in the spec, or fix ` +
      'parameters with --param NAME=VALUE');
  }
  const seen = new Set<string>();
  for (const pass of ['smallest', 'largest'] as const) {
    let valuations: Record<string, number>[] = [{}];
    for (const { p, fixed, max } of perParam) {
      const bound = pass === 'smallest' ? Math.min(p.min, max) : max;
      const values = fixed !== undefined ? [fixed] : upTo.has(p.name) ? [bound]
        : range(p.min, max);
      valuations = valuations.flatMap((v) => values.map((x) => ({ ...v, [p.name]: x })));
    }
    for (const params of valuations) {
      const key = JSON.stringify(params);
      if (seen.has(key)) continue;
      seen.add(key);
      configs.push({ kind: 'ranges', params });
    }
  }
  return configs;
}

function range(min: number, max: number): number[] {
  return Array.from({ length: Math.max(0, max - min + 1) }, (_, i) => min + i);
}

/** A configuration as one line: `scenario handoff`, `min_nr=1 capacity=0 threads≤3 ops≤2`. */
export function configLabel(config: ConfigRef): string {
  if (config.kind === 'scenario') return `scenario ${config.name}`;
  return Object.entries(config.params)
    .map(([k, v]) => (k === 'threads' || k === 'ops' ? `${k}≤${v}` : `${k}=${v}`)).join(' ');
}

function buildMachine(ir: SpecIR, ops: CompiledOp[], config: ConfigRef, sc: boolean): Machine {
  if (config.kind === 'scenario') {
    const scenario = ir.scenarios.find((s) => s.name === config.name);
    if (!scenario) throw new TokenError(`the spec has no scenario '${config.name}'`);
    return new Machine(ir, ops, scenario.params, { kind: 'scenario', scenario,
      programs: compileScenario(scenario, ops) }, { sc });
  }
  const p = config.params;
  return new Machine(ir, ops, p, { kind: 'ranges', threads: p.threads ?? 2, ops: p.ops ?? 2,
    intRange: intArgRange(ir.params) }, { sc });
}

/**
 * The values an `int` argument of a call takes in the ranges (resize's `new_min_nr`): those
 * of `min_nr` that are at least 1, as the kernel's BUG_ON(new_min_nr <= 0) demands.
 */
function intArgRange(params: Param[]): number[] {
  const minNr = params.find((p) => p.name === 'min_nr');
  return minNr ? range(Math.max(1, minNr.min), minNr.max) : [1];
}

function threadNamesOf(ir: SpecIR, config: ConfigRef, machine: Machine): string[] {
  if (config.kind === 'scenario') {
    return ir.scenarios.find((s) => s.name === config.name)!.threads.map((t) => t.name);
  }
  return Array.from({ length: machine.workload.kind === 'ranges' ? machine.workload.threads : 0 },
    (_, t) => `T${t}`);
}

function counterexample(machine: Machine, initial: State, config: ConfigRef,
  found: { violation: Violation; path: number[] }, ir: SpecIR, without: string[],
  sc: boolean): Counterexample {
  const threadNames = threadNamesOf(ir, config, machine);
  const { steps } = replay(machine, initial, found.path, threadNames);
  return {
    property: found.violation.property,
    message: renameThreads(found.violation.message, threadNames),
    config,
    configLabel: configLabel(config),
    threadNames,
    steps,
    token: encodeToken({ spec: ir.sha256.slice(0, 12), config, without, sc, path: found.path }),
    note: livenessNote(ir, found.violation.property),
  };
}

/**
 * For a broken liveness property: not a deadlock, a stall. The sleeper retries when its
 * queue's timeout fires, so the system goes on, late; the timeout comes from the spec.
 */
export function livenessNote(ir: SpecIR, property: string): string | undefined {
  const live = ir.liveness.find((l) => l.name === property);
  if (!live) return undefined;
  const queue = ir.state.queues.find((q) => q.name === live.queue);
  const timeout = queue ? `${queue.timeoutMs} ms` : 'its timeout';
  return `${property} is a liveness property: the sleeper is not stuck for good, it retries ` +
    `when the timeout of ${live.queue} fires (${timeout}), but until then it waits for a wake ` +
    'that no thread will send, although its allocation would succeed now.';
}

/** Messages say `T0`, `T1`; a scenario's threads have names of their own. */
function renameThreads(message: string, names: string[]): string {
  return message.replace(/\bT(\d+)\b/g, (m, i: string) => names[Number(i)] ?? m);
}

/**
 * Replays a token against `ir`: the same configuration and edges, the same choices. The
 * result holds the trace and the property the last state breaks; a trace that breaks none
 * is a `ReplayError` (the token is damaged or from another version of the checker).
 */
export function replayToken(original: SpecIR, token: string): CheckResult {
  const started = performance.now();
  const t = decodeToken(token);
  if (!original.sha256.startsWith(t.spec)) {
    throw new TokenError(`the token was made for another version of the spec ` +
      `(sha-256 ${t.spec}…, this one is ${original.sha256.slice(0, 12)}…)`, 'spec');
  }
  // The check at the token's end makes these mistakes unlikely, not impossible (a token put
  // together by hand): each is refused as a bad token, not met as an internal error.
  const unknownEdge = t.without.find((name) => !original.edges.some((e) => e.name === name));
  if (unknownEdge !== undefined) {
    throw new TokenError(`the replay token takes out an edge this spec does not have ` +
      `('${unknownEdge}')`);
  }
  if (t.config.kind === 'ranges') {
    const { params } = t.config;
    const names = Object.keys(params).sort().join(',');
    const wanted = original.params.map((p) => p.name).sort().join(',');
    const outside = original.params.find((p) =>
      params[p.name] !== undefined && (params[p.name] < p.min || params[p.name] > p.max));
    if (names !== wanted || outside) {
      throw new TokenError('the replay token names a configuration this spec does not have');
    }
  }
  const ir = t.without.length > 0 ? withoutEdges(original, t.without) : original;
  const ops = compileOps(ir);
  const machine = buildMachine(ir, ops, t.config, t.sc);
  const initial = machine.initial();
  if (!initial) throw new ReplayError('create fails in this configuration');
  const threadNames = threadNamesOf(ir, t.config, machine);
  const { steps, final } = replay(machine, initial, t.path, threadNames);
  const judge = new Judge(machine);
  const violation = judge.checkState(final) ??
    (machine.expand(final, false).quiescent ? judge.checkQuiescent(final) : null);
  // The search and the replay run the same machine on the same choices, so a token's trace
  // always ends in its violation; one that ends in none is damaged or from another checker.
  if (!violation) {
    throw new ReplayError(`the replayed trace (${steps.length} steps) breaks no property, so ` +
      'the token is damaged or was made by another version of mempool-spec', 'tool');
  }
  const label = configLabel(t.config);
  const seconds = (performance.now() - started) / 1000;
  return {
    spec: { name: ir.name, source: ir.source, sha256: ir.sha256 },
    status: 'counterexample',
    exhaustive: false,
    search: 'breadth-first',
    memory: t.sc ? 'sc' : 'views',
    without: t.without,
    edges: original.edges.map((e) => ({ name: e.name, kind: e.kind,
      removed: t.without.includes(e.name), doc: e.doc })),
    properties: listProperties(ir),
    configs: [{ config: t.config, label, verdict: 'counterexample',
      states: steps.length + 1, transitions: steps.length, depth: steps.length, seconds,
      exhaustive: false }],
    totals: { states: steps.length + 1, transitions: steps.length, seconds,
      statesPerSecond: 0, depth: steps.length },
    counterexample: {
      property: violation.property,
      message: renameThreads(violation.message, threadNames),
      config: t.config,
      configLabel: label,
      threadNames,
      steps,
      token,
      note: livenessNote(ir, violation.property),
    },
    failures: [],
  };
}

/**
 * A `CheckSpecError` that knows its place in the spec, as the spec error a compiler would
 * print (`file:line:col: error[code]: ...`, the source line with a caret, the hint); `text`
 * is the spec's source, for the line.
 */
export function placedSpecError(err: CheckSpecError & { place: CheckSpecPlace }, file: string,
  text: string): SpecError {
  const { code, loc, hint } = err.place;
  const lineText = (text.split('\n')[loc.line - 1] ?? '').replace(/\r$/, '');
  return new SpecError(code, file, err.message, hint,
    { line: loc.line, col: loc.col, lineText });
}

export { AblationError } from './ablate.ts';
export { TokenError } from './token.ts';
export { ReplayError } from './trace.ts';
export { CheckSpecError, type CheckSpecPlace } from './program.ts';
