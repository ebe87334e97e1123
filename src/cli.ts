import { resolve, relative, isAbsolute, sep } from 'node:path';
import { styleText } from 'node:util';
import { Command, CommanderError, Option } from 'commander';
import { applyPlan, planWrite, type Plan } from './gen/files.ts';
import { generateAll } from './gen/index.ts';
import { SpecError } from './spec/errors.ts';
import { loadSpec } from './spec/load.ts';

/** Exit codes, the same for every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** An error that the CLI reports in one message and an exit code, without a stack trace. */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface GenOptions {
  spec: string;
  out: string;
  check?: boolean;
  debug?: boolean;
}

/** Builds the command line; exported so tests can drive it without a process. */
export function buildProgram(): Command {
  const program = new Command('mempool-spec')
    .description('Turn a mempool spec into a reference pool, litmus tests and model-based tests')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .addOption(new Option('--debug', 'print stack traces for internal errors'));

  program
    .command('gen')
    .description('generate generated/ from the spec: reference pool, litmus tests, test suites')
    .option('--spec <file>', 'the spec to generate from', 'spec/mempool.mps')
    .option('--out <dir>', 'the folder to write into', 'generated')
    .option('--check', 'write nothing; exit 1 and list the differences if the folder is stale')
    .action((opts: GenOptions) => {
      process.exitCode = runGen(opts);
    });
  return program;
}

function runGen(opts: GenOptions): number {
  const started = performance.now();
  const ir = loadSpec(displayPath(opts.spec));
  const { files, disagreements } = generateAll(ir);
  for (const d of disagreements) {
    warn(`scenario ${d.scenario}: the spec expects '${d.expect}', the memory model says ` +
      `${d.verdict} (${d.test}); the litmus file records the computed verdict`);
  }

  const outDir = resolve(opts.out);
  const plan = planWrite(outDir, files);
  if (plan.foreign.length > 0) {
    throw new UsageError(
      `${opts.out}: ${plan.foreign.length} file(s) in the way that gen did not write: ` +
        plan.foreign.join(', '),
      'move them out of the output folder, or pick another folder with --out; gen never ' +
        'overwrites a file without its generated-file header',
    );
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (opts.check) return reportCheck(opts.out, plan, seconds);

  applyPlan(outDir, files, plan);
  process.stdout.write(
    `gen: ${files.length} files in ${opts.out}/ from ${ir.source} ` +
      `(${plan.added.length} added, ${plan.changed.length} changed, ` +
      `${plan.removed.length} removed, ${plan.unchanged.length} unchanged) in ${seconds}s\n`,
  );
  return EXIT.ok;
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

function fail(message: string): void {
  process.stderr.write(`${styleText('red', 'error')}: ${message}\n`);
}

/** Runs the CLI with `argv` (as in `process.argv`) and sets `process.exitCode`. */
export async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = handleError(err, debug);
  }
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
  if (err instanceof UsageError) {
    fail(err.message);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return EXIT.usage;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  fail(`internal error: ${e.message}`);
  process.stderr.write(debug ? `${e.stack}\n` : 'hint: run again with --debug for a stack trace\n');
  return EXIT.usage;
}
