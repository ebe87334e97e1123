import { InvalidArgumentError, type Command } from 'commander';
import { atLeastOne } from '../cli-args.ts';
import { loadSpec } from '../spec/load.ts';
import { DRIVERS, type DriverName } from './drivers.ts';
import {
  DEFAULT_BUDGET_MS, DriverError, formatReport, ModuleError, validate,
} from './index.ts';
import { DEFAULT_SEED } from '../harness/settings.ts';
import { ValidateUsageError } from './errors.ts';

/** `validate`'s options as commander parses them. */
interface ValidateCliOptions {
  spec: string;
  seed: number;
  runs?: number;
  driver: string[];
  replay?: string;
  budget: number;
  keepGoing?: boolean;
  loadTimeout: number;
  shrink: boolean;
  json?: boolean;
}

// Defined apart so that `gen --impl` can throw it without loading the command's modules.
export { ValidateUsageError } from './errors.ts';

/**
 * Adds `mempool-spec validate MODULE` to the program. `run` receives the exit code:
 * 0 every driver passed, 1 a driver found a failure.
 */
export function addValidateCommand(program: Command, run: (code: number) => void): void {
  program
    .command('validate')
    .description('check a pool implementation against the spec: sequential model-based, ' +
      'deterministic interleavings (also under weak memory), and real workers')
    .argument('<module>', 'a .js, .mjs or .ts module exporting Mempool and/or MempoolMem ' +
      '(see mempool-spec/contract)')
    .option('--spec <file>', 'the spec to validate against', 'spec/mempool.mps')
    .option('--seed <n>', 'seed of every driver', integer, DEFAULT_SEED)
    .option('--runs <n>', 'runs per driver (rounds for concurrent); default per driver',
      atLeastOne)
    .option('--driver <name>', `run only this driver (repeatable): ${DRIVERS.join(', ')}`,
      collectDriver, [])
    .option('--replay <path>', 'replay the failure with this path (from a report\'s replay line)')
    .option('--budget <seconds>', 'time for all drivers together', seconds,
      DEFAULT_BUDGET_MS / 1000)
    .option('--keep-going', 'run every driver even after one has failed')
    .option('--no-shrink', 'report the first failure found as it is, without shrinking it')
    .option('--load-timeout <seconds>', 'how long the module may take to load', seconds, 20)
    .option('--json', 'print one JSON document instead of text')
    .action(async (module: string, opts: ValidateCliOptions) => {
      run(await runValidate(module, opts));
    });
}

async function runValidate(module: string, opts: ValidateCliOptions): Promise<number> {
  if (opts.replay !== undefined && opts.driver.length !== 1) {
    throw new ValidateUsageError('--replay needs exactly one --driver',
      'copy the whole replay line from the report');
  }
  const ir = loadSpec(opts.spec);
  const progress = process.stderr.isTTY && !opts.json;
  try {
    const report = await validate({
      ir, module, seed: opts.seed, runs: opts.runs, replay: opts.replay,
      drivers: opts.driver.length ? (opts.driver as DriverName[]) : undefined,
      budgetMs: Math.round(opts.budget * 1000), keepGoing: opts.keepGoing,
      loadMs: Math.round(opts.loadTimeout * 1000),
      noShrink: !opts.shrink,
      onDriver: progress ? (name, r) => process.stderr.write(r ? '\r\x1b[K'
        : `\r\x1b[Kvalidate: running the ${name} driver...`) : undefined,
    });
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n'
      : formatReport(report) + '\n' +
        `validate: ${report.verdict} in ${(report.ms / 1000).toFixed(1)} s\n`);
    return report.verdict === 'pass' ? 0 : 1;
  } catch (error) {
    if (error instanceof ModuleError) throw new ValidateUsageError(error.message, error.hint);
    if (error instanceof DriverError) {
      throw new ValidateUsageError(error.message, error.replaying
        ? 'a --replay token fits only the driver, seed and module of the report it came from; ' +
          'copy the whole replay line'
        : 'this is not a verdict on the pool; check the spec with `mempool-spec check`');
    }
    throw error;
  }
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('not a positive number');
  return n;
}

function collectDriver(value: string, previous: string[]): string[] {
  if (!(DRIVERS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${DRIVERS.join(', ')}`);
  }
  return [...previous, value];
}
