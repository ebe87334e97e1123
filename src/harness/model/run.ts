import fc from 'fast-check';
import type { SpecIR } from '../../ir.ts';
import type { ImplementationModule } from '../contract.ts';
import { replayHint, type RunSettings } from '../settings.ts';
import { commandArbitraries, teardown } from './commands.ts';
import { bindOps, setup, type ModelSide, type RealSide } from './system.ts';

/**
 * Backing allocations one command may make. The model only runs calls that return, and
 * those make a handful; a pool that sleeps and retries instead makes one per retry, so
 * this stops it after about a second of 5 ms sleeps.
 */
const CALL_BUDGET = 200;

/** What the model-based suite needs. */
export interface ModelBasedOptions {
  ir: SpecIR;
  implementation: ImplementationModule;
  settings: RunSettings;
  /** Commands per run at most. Default 40. */
  maxCommands?: number;
  /** The pool's sleep timeout in this suite (ms). Default 5. */
  sleepTimeoutMs?: number;
  /** Reserve slots; resizes range over `1..slots`. Default: the largest parameter bound + 2. */
  slots?: number;
  /** Shown in the replay hint of a failure. */
  testFile?: string;
  /**
   * If given, counts what the runs did (`alloc(nowait) -> null`, `resize`, ...), so a test
   * can show that the suite reaches every path it claims to.
   */
  coverage?: Map<string, number>;
  /** Told before every call into the pool (a watchdog's heartbeat; see `RealSide.onCall`). */
  onCall?: (log: readonly string[]) => void;
  /** fast-check's `replayPath` of a counterexample, to replay its commands exactly. */
  replayPath?: string;
  /** Told when a run fails (before fast-check shrinks it). */
  onRunFailed?: () => void;
}

/**
 * The model-based property: parameters drawn from the spec's ranges, a fresh model and
 * pool per run, a command sequence, and at the end everything given back. Returns the
 * property so a caller may run it with its own `fc.assert` settings.
 */
export function modelBasedProperty(options: ModelBasedOptions): fc.IProperty<[
  Record<string, number>, Iterable<fc.Command<ModelSide, RealSide>>,
]> {
  const { ir } = options;
  const ops = bindOps(ir);
  const slots = options.slots ?? Math.max(1, ...ir.params.map((p) => p.max)) + 2;
  const params = fc.record(
    Object.fromEntries(ir.params.map((p) => [p.name, fc.integer({ min: p.min, max: p.max })])),
  );
  const commands = fc.commands(commandArbitraries(slots, options.implementation.capabilities), {
    maxCommands: options.maxCommands ?? 40,
    // fast-check's default size keeps sequences short; bugs here need a few frees and
    // resizes after the reserve has been drained.
    size: 'max',
    replayPath: options.replayPath,
  });
  return fc.property(params, commands, (values, cmds) => {
    let last: { model: ModelSide; real: RealSide } | undefined;
    const init = () => {
      last = setup({
        ir, ops, implementation: options.implementation, params: values, slots,
        sleepTimeoutMs: options.sleepTimeoutMs ?? 5,
        callBudget: CALL_BUDGET,
        onCall: options.onCall,
      });
      return last;
    };
    try {
      fc.modelRun(init, cmds);
      if (last) teardown(last.model, last.real);
    } catch (error) {
      options.onRunFailed?.();
      throw error;
    } finally {
      if (last && options.coverage) countCoverage(options.coverage, last.model.log);
    }
  });
}

/**
 * Runs the model-based suite and throws, with the shrunk command sequence, the property
 * that broke, expected and actual values and a replay command line, if the pool and the
 * model disagree anywhere.
 */
export function runModelBased(options: ModelBasedOptions): void {
  const { settings } = options;
  try {
    fc.assert(modelBasedProperty(options), {
      seed: settings.seed,
      numRuns: settings.runs,
      includeErrorInReport: true,
    });
  } catch (error) {
    const hint = replayHint(settings, options.testFile ?? '<this test file>');
    if (error instanceof Error) error.message += `\nReplay: ${hint}`;
    throw error;
  }
}

/** `alloc(wait) -> element 3` counts as `alloc(wait) -> element`; `resize(2) -> 0` as `resize`. */
function countCoverage(coverage: Map<string, number>, log: string[]): void {
  for (const line of log.slice(1)) {
    const key = line
      .replace(/^(\w+(?:\.\w+)?)\((?!wait|nowait|null|true|false)[^)]*\)/, '$1')
      .replace(/ -> (element|\d+).*$/, (_m, what: string) =>
        (what === 'element' ? ' -> element' : ''));
    coverage.set(key, (coverage.get(key) ?? 0) + 1);
  }
}
