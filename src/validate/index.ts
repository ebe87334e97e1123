import type { SpecIR } from '../ir.ts';
import { DRIVER_TITLES, DRIVERS, type DriverName } from './drivers.ts';
import { probeModule, type ModuleInfo } from './module.ts';
import { overallVerdict, type DriverReport, type ValidationReport } from './report.ts';
import { bindOps } from '../harness/model/system.ts';
import { DriverError, supervise } from './supervise.ts';

export { ModuleError } from './module.ts';
export { DriverError } from './supervise.ts';
export type { DriverReport, Failure, ValidationReport, Verdict } from './report.ts';
export { DRIVERS, type DriverName } from './drivers.ts';

/** What `validate` is asked to do. */
export interface ValidateOptions {
  ir: SpecIR;
  /** The user's module, a path relative to the working directory. */
  module: string;
  seed: number;
  /** Drivers to run, in this order; default all that the module supports. */
  drivers?: DriverName[];
  /** Runs per driver (rounds for the concurrent driver); default per driver. */
  runs?: number;
  /** The whole time budget (ms), shared out among the drivers. Default 40 s. */
  budgetMs?: number;
  /** A replay path from a report (needs exactly one driver). */
  replay?: string;
  /** Keep running the other drivers after one fails. */
  keepGoing?: boolean;
  /** How long the module may take to load (ms). Default 20 s. */
  loadMs?: number;
  /** Report failures as found, unshrunk (to time detection alone). */
  noShrink?: boolean;
  /** Told when a driver starts and ends (the CLI's progress line). */
  onDriver?: (name: DriverName, report?: DriverReport) => void;
}

/** Default runs and share of the time budget of each driver. */
const DEFAULTS: Record<DriverName, { runs: number; share: number; stallMs: number }> = {
  sequential: { runs: 400, share: 0.1, stallMs: 3000 },
  'det-weak': { runs: 5000, share: 0.35, stallMs: 8000 },
  det: { runs: 5000, share: 0.35, stallMs: 8000 },
  concurrent: { runs: 12, share: 0.2, stallMs: 15000 },
};

/** The whole default time budget of a `validate` run. */
export const DEFAULT_BUDGET_MS = 40_000;

/**
 * Validates the user's module against the spec: loads it (in a worker), then runs each
 * driver in a supervised worker of its own, stopping at the first that fails unless
 * `keepGoing`. Every worker has exited when it returns.
 *
 * @throws ModuleError when the module cannot be loaded or does not meet the contract.
 */
export async function validate(o: ValidateOptions): Promise<ValidationReport> {
  const started = performance.now();
  try {
    bindOps(o.ir);
  } catch (e) {
    throw new DriverError('sequential', `the spec ${o.ir.source} lacks what the drivers call: ` +
      `${e instanceof Error ? e.message.replace(/^[\w -]+: /, '') : String(e)}`, false);
  }
  const info = await probeModule(o.module, o.loadMs);
  const budget = o.budgetMs ?? DEFAULT_BUDGET_MS;
  const implementation = implementationUrl(info.url);
  const reports: DriverReport[] = [];
  let failed = false;

  for (const name of o.drivers ?? [...DRIVERS]) {
    const skip = whySkipped(name, info);
    if (skip || (failed && !o.keepGoing)) {
      reports.push({ driver: DRIVER_TITLES[name], verdict: 'skipped', ran: 'nothing', ms: 0,
        skipped: [skip ?? 'an earlier driver failed (--keep-going runs it anyway)'] });
      continue;
    }
    o.onDriver?.(name);
    const d = DEFAULTS[name];
    const budgetMs = Math.round(budget * d.share);
    const report = await supervise({
      driver: name, ir: o.ir, module: info.url, implementation, typescript: info.typescript,
      seed: o.seed, runs: o.runs ?? d.runs, budgetMs, path: o.replay, noShrink: o.noShrink,
      capabilities: info.capabilities,
    }, { stallMs: d.stallMs, deadlineMs: budgetMs * 3 + 20_000 });
    reports.push(report);
    o.onDriver?.(name, report);
    if (report.verdict !== 'pass') failed = true;
  }

  return { module: info.file, spec: o.ir.source, seed: o.seed, drivers: reports,
    verdict: overallVerdict(reports), ms: Math.round(performance.now() - started) };
}

/** Why a driver does not apply to a module, or null when it does. */
function whySkipped(name: DriverName, info: ModuleInfo): string | null {
  if ((name === 'det' || name === 'det-weak') && !info.hasMem) {
    return 'the module exports no MempoolMem (a pool over the memory interface)';
  }
  if (name === 'concurrent' && !info.capabilities.shareable) {
    return 'the module declares shareable: false';
  }
  return null;
}

/** The module every harness worker loads for the user's module (see `implementation.ts`). */
function implementationUrl(moduleUrl: string): string {
  const file = import.meta.url.endsWith('.ts') ? './implementation.ts' : './implementation.js';
  const url = new URL(file, import.meta.url);
  url.searchParams.set('module', moduleUrl);
  return url.href;
}

/**
 * The report as text: one line per driver, then each failure with its numbered steps,
 * what broke (expected and actual), and the command line that replays it.
 */
export function formatReport(r: ValidationReport, command = 'mempool-spec validate'): string {
  const lines: string[] = [`validate ${r.module} against ${r.spec} (seed ${r.seed})`];
  for (const d of r.drivers) {
    const skipped = d.skipped.length ? `; skipped: ${d.skipped.join('; ')}` : '';
    const found = d.detectedMs === undefined ? ''
      : ` (found after ${(d.detectedMs / 1000).toFixed(1)} s)`;
    lines.push(`  ${d.verdict.padEnd(13)} ${d.driver}: ${d.ran}` +
      (d.ms ? `, ${(d.ms / 1000).toFixed(1)} s` : '') + found + skipped);
  }
  for (const d of r.drivers) {
    const f = d.failure;
    if (!f) continue;
    lines.push('', `${f.verdict} (${d.driver} driver): ${f.property}`,
      `  expected: ${f.expected}`, `  actual:   ${f.actual}`);
    if (f.steps.length) lines.push('  steps:', ...f.steps.map((s) => `  ${s}`));
    if (f.note) lines.push(`  note: ${f.note}`);
    lines.push(`  replay: ${command} ${quote(r.module)} --spec ${quote(r.spec)} ${f.replay}`);
  }
  return lines.join('\n');
}

function quote(arg: string): string {
  return /^[\w./@:+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export { assertDriverPasses, suiteSettings } from './suite.ts';
export type { SpecIR } from '../ir.ts';
