import { dirname, resolve, relative, isAbsolute, sep } from 'node:path';
import { styleText } from 'node:util';
import { Command, CommanderError, Option } from 'commander';
import { applyPlan, planWrite, type Plan } from './gen/files.ts';
import { generateImpl } from './gen/impl.ts';
import { GEN_FOLDERS, generateAll } from './gen/index.ts';
import { refuseOutDir } from './gen/out-dir.ts';
import { recordedSpecPath } from './gen/header.ts';
import { watchSpec } from './gen/watch.ts';
import { SpecError } from './spec/errors.ts';
import {
  replayToken, placedSpecError, AblationError, CheckSpecError, ReplayError, TokenError,
  DEFAULT_STATE_LIMIT, type CheckResult, type CheckSpecPlace,
} from './check/index.ts';
import type { TokenTrouble } from './check/token.ts';
import { TRACE_GENERATOR, traceHtml } from './check/html.ts';
import { checkSpecParallel, defaultJobs } from './check/parallel.ts';
import { formatResult, resultJson, type Style } from './check/report.ts';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadSpec, specSource } from './spec/load.ts';
import { addValidateCommand, ValidateUsageError } from './validate/command.ts';
import { wholeNumber } from './cli-args.ts';

/** Exit codes, the same for every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Codes of command-line errors that have one of their own (printed `error[code]: ...`, and
 * the `code` of the `--json` error document); every other `UsageError` is `usage`.
 */
export type UsageErrorCode = 'usage' | 'unknown-edge' | 'bad-replay-token' | 'output-in-the-way';

/** An error that the CLI reports in one message and an exit code, without a stack trace. */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string,
    readonly code: UsageErrorCode = 'usage') {
    super(message);
    this.name = 'UsageError';
  }
}

interface GenOptions {
  spec: string;
  out: string;
  impl?: string;
  check?: boolean;
  watch?: boolean;
  debug?: boolean;
}

/** Builds the command line; exported so tests can drive it without a process. */
export function buildProgram(): Command {
  const program = new Command('mempool-spec')
    .description('Turn a mempool spec into a reference pool, litmus tests and model-based tests')
    .version('0.1.0')
    .showHelpAfterError('hint: add --help to the command for its options')
    .exitOverride()
    .addOption(new Option('--debug', 'print stack traces for internal errors'));

  program
    .command('gen')
    .description('generate generated/ from the spec: reference pool, litmus tests, test suites')
    .option('--spec <file>', 'the spec to generate from', 'spec/mempool.mps')
    .option('--out <dir>', 'the folder to write into (default: generated, or with --impl ' +
      'mempool-spec-tests)')
    .option('--impl <module>', 'write a validation suite for this pool module instead (see ' +
      'mempool-spec validate)')
    .option('--check', 'write nothing; exit 1 and list the differences if the folder is stale')
    .option('--watch', 'regenerate whenever the spec file changes; report errors and go on ' +
      'until Ctrl-C')
    .action(async (opts: GenOptions, cmd: Command) => {
      opts.out ??= opts.impl === undefined ? 'generated' : 'mempool-spec-tests';
      const refusal = refuseOutDir(opts.out, opts.spec);
      if (refusal !== undefined) throw new UsageError(refusal.message, refusal.hint);
      if (!opts.watch) {
        process.exitCode = runGen(opts);
        return;
      }
      process.exitCode = await runGenWatch(opts, cmd.optsWithGlobals().debug === true);
    });

  program
    .command('check')
    .description('explore every interleaving of the spec\'s operations under the memory model ' +
      'and check its invariants, liveness, scenarios and edges')
    .argument('[file]', 'the spec to check', 'spec/mempool.mps')
    .option('--without <edge>', 'take out a happens-before edge (repeatable)', collect, [])
    .option('--json', 'print one JSON document instead of text')
    .option('--trace-out <file>', 'write the counterexample as a self-contained HTML picture')
    .option('--replay <token>', 'replay a counterexample from its replay token')
    .option('--random-walks <n>', 'random walks per parameter valuation instead of exhausting ' +
      'it', wholeOption('--random-walks', 1, Number.MAX_SAFE_INTEGER, 'leave the option out ' +
      'for a breadth-first search'))
    .option('--seed <n>', 'seed of the random walks', wholeOption('--seed', 0, MAX_SEED,
      'the random walks take a 32-bit seed'), 1)
    .option('--state-limit <n>', 'stop a configuration after this many states',
      wholeOption('--state-limit', 1), DEFAULT_STATE_LIMIT)
    .option('--threads <n>', 'explore up to this many threads (default: the spec\'s maximum)',
      wholeOption('--threads', 1))
    .option('--ops <n>', 'explore up to this many calls per thread (default: the spec\'s ' +
      'maximum)', wholeOption('--ops', 1))
    .option('--param <name=value>', 'fix a spec parameter to one value of its range ' +
      '(repeatable)', collect, [])
    .option('--only <what>', 'check only the scenarios, or only the parameter ranges')
    .option('--sc', 'run under sequential consistency instead of the memory model')
    .option('--jobs <n>', 'search this many configurations at once, each in a worker thread ' +
      '(default: one per core)', wholeOption('--jobs', 1))
    .action(async (file: string, opts: CheckCliOptions, command: Command) => {
      const given = command.options.filter((o) =>
        command.getOptionValueSource(o.attributeName()) === 'cli').map((o) => o.long ?? '');
      process.exitCode = await runCheck(file, opts, given);
    });

  addValidateCommand(program, (code) => (process.exitCode = code));
  return program;
}

interface CheckCliOptions {
  without: string[];
  json?: boolean;
  traceOut?: string;
  replay?: string;
  randomWalks?: number;
  seed: number;
  stateLimit: number;
  threads?: number;
  ops?: number;
  param: string[];
  only?: string;
  sc?: boolean;
  jobs?: number;
}

/** The options `check --replay` takes besides the token: the token fixes everything else. */
const REPLAY_OPTIONS = ['--replay', '--json', '--trace-out'];

async function runCheck(file: string, opts: CheckCliOptions, given: string[]): Promise<number> {
  const searchOptions = given.filter((o) => !REPLAY_OPTIONS.includes(o));
  if (opts.replay !== undefined && searchOptions.length > 0) {
    throw new UsageError(`--replay takes no search options, and ${searchOptions.join(', ')} ` +
      `${searchOptions.length === 1 ? 'was' : 'were'} given`, 'the token fixes the ' +
      'configuration, the edges taken out and the memory model; give the spec file, the ' +
      'token, and at most --json and --trace-out');
  }
  if (opts.traceOut !== undefined) checkTraceOut(opts.traceOut);
  const specPath = displayPath(file);
  const ir = loadSpec(specPath);
  const bounds: Record<string, number> = {};
  if (opts.threads !== undefined) bounds.threads = opts.threads;
  if (opts.ops !== undefined) bounds.ops = opts.ops;
  for (const [flag, name, value] of [['--threads', 'threads', opts.threads],
    ['--ops', 'ops', opts.ops]] as const) {
    const p = ir.params.find((q) => q.name === name);
    if (value !== undefined && p && value < p.min) {
      throw new UsageError(`${flag} ${value}: below the spec's range ${p.min}..${p.max} for ` +
        `${name}`, `the bound caps the range; give at least ${p.min}`);
    }
    if (value !== undefined && p && value > p.max) {
      throw new UsageError(`${flag} ${value}: above the spec's range ${p.min}..${p.max} for ` +
        `${name}`, `the bound caps the range; give at most ${p.max} (the default), or widen ` +
        `\`param ${name}\` in the spec`);
    }
  }
  const fix: Record<string, number> = {};
  for (const binding of opts.param) {
    const m = /^([A-Za-z_]\w*)=(-?\d+)$/.exec(binding);
    if (!m) throw new UsageError(`--param ${binding}: expected NAME=VALUE, e.g. min_nr=1`);
    if (!ir.params.some((p) => p.name === m[1])) {
      throw new UsageError(`--param ${binding}: the spec has no parameter '${m[1]}'`,
        `its parameters: ${ir.params.map((p) => p.name).join(', ')}`);
    }
    fix[m[1]] = Number(m[2]);
  }
  if (opts.only !== undefined && opts.only !== 'scenarios' && opts.only !== 'ranges') {
    throw new UsageError(`--only ${opts.only}: expected 'scenarios' or 'ranges'`);
  }
  const only = opts.only as 'scenarios' | 'ranges' | undefined;
  const edges = ir.edges.map((e) => e.name);
  for (const name of opts.without) {
    if (!edges.includes(name)) {
      throw new UsageError(`--without ${name}: the spec has no edge '${name}'`,
        edges.length > 0 ? `its edges: ${edges.join(', ')}` : 'the spec declares no edges',
        'unknown-edge');
    }
  }
  const progress = process.stderr.isTTY && !opts.json
    ? (line: string) => process.stderr.write(`\r\x1b[K${line}`) : undefined;
  let result: CheckResult;
  try {
    result = opts.replay !== undefined
      ? replayToken(ir, opts.replay)
      : await checkSpecParallel(ir, { without: opts.without, randomWalks: opts.randomWalks,
        seed: opts.seed, stateLimit: opts.stateLimit, bounds, fix, only, sc: opts.sc,
        onProgress: progress }, opts.jobs ?? defaultJobs());
  } catch (err) {
    if (opts.replay !== undefined &&
      (err instanceof TokenError || err instanceof ReplayError)) {
      throw new UsageError(err.message, replayHint(err.about, ir.source), 'bad-replay-token');
    }
    if (err instanceof CheckSpecError && err.place) {
      const src = specSource(ir);
      throw placedSpecError(err as CheckSpecError & { place: CheckSpecPlace },
        src?.path ?? specPath, src?.text ?? '');
    }
    if (err instanceof AblationError || err instanceof TokenError || err instanceof ReplayError ||
      err instanceof CheckSpecError) throw new UsageError(err.message);
    throw err;
  } finally {
    if (progress) process.stderr.write('\r\x1b[K');
  }
  process.stdout.write(opts.json ? resultJson(result) : formatResult(result, terminalStyle()));
  if (opts.traceOut && result.counterexample) {
    try {
      writeFileSync(opts.traceOut, traceHtml(result.counterexample, ir.source));
    } catch (err) {
      // The path was checked before the search, so this is rare. The report is on stdout
      // already (with --json, as its one document) and its exit code stands; only the
      // picture is lost.
      warn(`--trace-out ${opts.traceOut}: cannot write it ` +
        `(${(err as NodeJS.ErrnoException).code ?? String(err)}); the counterexample is in ` +
        'the report');
    }
  }
  if (opts.traceOut && !result.counterexample) {
    warn(`--trace-out ${opts.traceOut}: no counterexample, nothing written`);
  }
  return result.status === 'holds' ? EXIT.ok : EXIT.failed;
}

/**
 * Refuses, before the search, a `--trace-out` path that cannot be written: its folder must
 * exist and be a folder, and the path, if it exists, must be a file.
 */
function checkTraceOut(path: string): void {
  const hint = 'give the path of a file (new, or a trace check wrote before) in a folder ' +
    'that exists';
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) {
    throw new UsageError(`--trace-out ${path}: the folder ${displayPath(folder)} does not ` +
      'exist', hint);
  }
  if (!statSync(folder).isDirectory()) {
    throw new UsageError(`--trace-out ${path}: ${displayPath(folder)} is not a folder`, hint);
  }
  if (existsSync(path) && !statSync(path).isFile()) {
    throw new UsageError(`--trace-out ${path}: not a file`, hint);
  }
  if (existsSync(path) && statSync(path).size > 0 &&
    !readFileSync(path, 'utf8').slice(0, 4096).includes(`content="${TRACE_GENERATOR}"`)) {
    throw new UsageError(`--trace-out ${path}: the file exists and is not a trace that check ` +
      'wrote, so it is left as it is', 'give a new path, or move the file away first');
  }
}

/** What to do about a replay token `check --replay` cannot use. */
function replayHint(about: TokenTrouble, source: string): string {
  if (about === 'spec') {
    return 'replay it against the spec file it was made for, or run check on this one for a ' +
      'new token';
  }
  if (about === 'tool') {
    return `a token replays only with the mempool-spec that made it: run check on ${source} ` +
      'again and give the new token from the `replay:` line of its report';
  }
  return `give the whole token from the \`replay:\` line of a check report on ${source} ` +
    '(it is one word of letters, digits, - and _)';
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The largest `--seed`: the random walks' generator (mulberry32) takes 32 bits. */
const MAX_SEED = 0xffff_ffff;

/**
 * A parser for a whole-number option of `check`, from `min` to `max`: anything else (`1e3`,
 * `-1`, `0x10`, a number past 2^53) is a usage error that names the option, with a hint.
 */
function wholeOption(flag: string, min: number, max = Number.MAX_SAFE_INTEGER,
  note?: string): (value: string) => number {
  return (value: string): number => {
    const read = wholeNumber(value, min, max);
    if (read.ok) return read.value;
    throw new UsageError(`${flag} ${value}: ${read.problem}`, `give a whole number ` +
      (max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`) +
      (note ? `; ${note}` : ''));
  };
}

/** Colours for stdout: `styleText` drops them when stdout is not a terminal or NO_COLOR is set. */
function terminalStyle(): Style {
  const on = process.stdout.isTTY === true;
  const st = (format: Parameters<typeof styleText>[0]) => (text: string): string =>
    (on ? styleText(format, text) : text);
  return { bad: st('red'), good: st('green'), dim: st('dim'), bold: st('bold') };
}

function runGen(opts: GenOptions): number {
  const started = performance.now();
  const ir = loadSpec(displayPath(opts.spec));
  if (opts.impl !== undefined && !existsSync(opts.impl)) {
    throw new UsageError(`--impl ${opts.impl}: no such file`,
      'give the path of the pool module the suite should import');
  }
  const { files, disagreements } = opts.impl === undefined
    ? generateAll(ir, recordedSpecPath(opts.spec, opts.out))
    : { files: generateImpl(ir, resolve(opts.impl), resolve(opts.out), displayPath(opts.impl)),
      disagreements: [] };
  for (const d of disagreements) {
    warn(`scenario ${d.scenario}: the spec expects '${d.expect}', the memory model says ` +
      `${d.verdict} (${d.test}); the litmus file records the computed verdict`);
  }

  const outDir = resolve(opts.out);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new UsageError(`--out ${opts.out}: not a folder`,
      'give a folder for gen to write into (it is made if it does not exist)');
  }
  const plan = planWrite(outDir, files,
    opts.impl === undefined ? { kind: 'gen', folders: GEN_FOLDERS } : { kind: 'impl' });
  if (plan.foreign.length > 0) {
    throw new UsageError(
      `${opts.out}: ${plan.foreign.length} file(s) in the way that gen did not write: ` +
        plan.foreign.join(', '),
      'move them out of the output folder, or pick another folder with --out; gen never ' +
        'overwrites a file without the generated-file header of its own kind of run (gen, or ' +
        'gen --impl)',
      'output-in-the-way',
    );
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  // The folder as given, once with its slash: `--out generated/` must not print `generated//`.
  const shown = opts.out.replace(/\/+$/, '');
  if (opts.check) return reportCheck(shown, plan, seconds);

  applyPlan(outDir, files, plan);
  process.stdout.write(
    `gen: ${files.length} files in ${shown}/ from ${ir.source} ` +
      `(${plan.added.length} added, ${plan.changed.length} changed, ` +
      `${plan.removed.length} removed, ${plan.unchanged.length} unchanged) in ${seconds}s\n`,
  );
  return EXIT.ok;
}

/** `gen --watch`: gen now and on every change of the spec; errors are reported, not fatal. */
async function runGenWatch(opts: GenOptions, debug: boolean): Promise<number> {
  if (opts.check) throw new UsageError('--watch and --check do not go together');
  const once = (): void => {
    let code: number;
    try {
      code = runGen(opts);
    } catch (err) {
      code = handleError(err, debug);
    }
    if (code !== EXIT.ok) {
      process.stderr.write(`watch: gen failed (exit ${code}); waiting for the next change\n`);
    }
  };
  const watched = await watchSpec(opts.spec, once, (err) => handleError(err, debug));
  return watched ? EXIT.ok : EXIT.usage;
}

function reportCheck(out: string, plan: Plan, seconds: string): number {
  const stale = [
    ...plan.added.map((p) => `  added:   ${out}/${p}`),
    ...plan.changed.map((p) => `  changed: ${out}/${p}`),
    ...plan.removed.map((p) => `  removed: ${out}/${p}`),
  ];
  if (stale.length === 0) {
    process.stdout.write(`gen --check: ${out}/ is up to date (${plan.unchanged.length} files, ` +
      `${seconds}s)\n`);
    return EXIT.ok;
  }
  process.stdout.write(`gen --check: ${out}/ is stale; running gen would change:\n` +
    `${stale.join('\n')}\n`);
  return EXIT.failed;
}

/** Paths as the user wrote them, made relative to the working directory when inside it. */
function displayPath(path: string): string {
  if (!isAbsolute(path)) return path.split(sep).join('/');
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel.split(sep).join('/');
}

function warn(message: string): void {
  process.stderr.write(`${styleText('yellow', 'warning')}: ${message}\n`);
}

function fail(message: string, code?: string): void {
  process.stderr.write(`${styleText('red', code ? `error[${code}]` : 'error')}: ${message}\n`);
}

/** Runs the CLI with `argv` (as in `process.argv`) and sets `process.exitCode`. */
export async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = handleError(err, debug);
    // With --json, stdout still gets one JSON document: the error, as data.
    if (argv.includes('--json') && !(err instanceof CommanderError && err.exitCode === 0)) {
      process.stdout.write(JSON.stringify({ error: errorJson(err) }, null, 2) + '\n');
    }
  }
}

/** An error as the JSON document `--json` prints when a command cannot run (exit 2). */
function errorJson(err: unknown): Record<string, unknown> {
  if (err instanceof SpecError) {
    return { code: err.code, file: err.file, line: err.line, col: err.col,
      message: err.message, hint: err.hint };
  }
  if (err instanceof UsageError) return { code: err.code, message: err.message, hint: err.hint };
  if (err instanceof ValidateUsageError) {
    return { code: 'usage', message: err.message, hint: err.hint };
  }
  if (err instanceof CommanderError) return { code: 'usage', message: err.message };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

function handleError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message; help and --version are not errors.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof SpecError) {
    process.stderr.write(err.format() + '\n');
    return EXIT.usage;
  }
  if (err instanceof UsageError || err instanceof ValidateUsageError) {
    fail(err.message, err instanceof UsageError && err.code !== 'usage' ? err.code : undefined);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return EXIT.usage;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  fail(`internal error: ${e.message}`);
  process.stderr.write(debug ? `${e.stack}\n` : 'hint: run again with --debug for a stack trace\n');
  return EXIT.usage;
}
