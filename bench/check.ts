// Benchmark of `mempool-spec check`: states, states/s and time for the default check of
// spec/mempool.mps (which stops at the kernel's dangling waiter), for each edge ablation, for
// the pre-fix variant, and for exhaustive passes of the fixed variant, up to its default
// bounds. Each run is timed twice in the same process: on one worker per core, as the CLI
// runs it (`check --jobs`, default one per core), and on this thread alone (`checkSpec`),
// the baseline the ratio is against. The state counts of the two are the same by
// construction (results are recorded in configuration order); the benchmark checks that.
// Run: node --import tsx bench/check.ts
//
//   --quick          leave out the fixed variant at its default bounds (threads 3, ops 3),
//                    about 10 minutes on 2 cores
//   --baseline-full  time that one on one thread too (about 20 minutes more)
//   --jobs N         workers for the parallel runs (default: one per core)
import { availableParallelism } from 'node:os';
import { checkSpec, type CheckOptions, type CheckResult } from '../src/check/index.ts';
import { checkSpecParallel } from '../src/check/parallel.ts';
import { loadSpec } from '../src/spec/load.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jobsAt = args.indexOf('--jobs');
const jobs = jobsAt >= 0 ? Number(args[jobsAt + 1]) : availableParallelism();

const spec = loadSpec('spec/mempool.mps');
const fixed = loadSpec('spec/variants/mempool-fixed.mps');
const preFix = loadSpec('spec/variants/mempool-pre-5b990546.mps');

process.stdout.write(`check on ${jobs} workers against 1 thread (same process, back to back)\n`);
process.stdout.write(`${'run'.padEnd(40)} ${'result'.padEnd(15)} ${'states'.padStart(9)} ` +
  `${'states/s'.padStart(8)} ${'time'.padStart(8)} ${'1 thread'.padStart(9)} ` +
  `${'ratio'.padStart(6)}  found\n`);

async function row(name: string, ir: typeof spec, opts: CheckOptions,
  baseline = true): Promise<void> {
  const r: CheckResult = await checkSpecParallel(ir, opts, jobs);
  const one = baseline ? checkSpec(ir, opts) : null;
  if (one && (one.totals.states !== r.totals.states || one.status !== r.status)) {
    throw new Error(`${name}: one thread found ${one.totals.states} states (${one.status}), ` +
      `${jobs} workers ${r.totals.states} (${r.status})`);
  }
  const t = r.totals;
  const cx = r.counterexample;
  const found = cx ? `${cx.property} in ${cx.configLabel}` : r.exhaustive ? 'exhaustive' : '';
  const alone = one ? `${one.totals.seconds.toFixed(2)}s` : '-';
  const ratio = one ? `${(one.totals.seconds / t.seconds).toFixed(2)}x` : '-';
  process.stdout.write(`${name.padEnd(40)} ${r.status.padEnd(15)} ` +
    `${String(t.states).padStart(9)} ${String(t.statesPerSecond).padStart(8)} ` +
    `${t.seconds.toFixed(2).padStart(7)}s ${alone.padStart(9)} ${ratio.padStart(6)}  ` +
    `${found}\n`);
}

await row('spec/mempool.mps (default bounds)', spec, {});
for (const edge of spec.edges) {
  await row(`spec/mempool.mps --without ${edge.name}`, spec, { without: [edge.name] });
}
await row('pre-5b990546 variant (default bounds)', preFix, {});
await row('fixed variant, threads<=2 ops<=2', fixed, { bounds: { threads: 2, ops: 2 } });
await row('fixed variant, threads<=2 ops<=3', fixed, { bounds: { threads: 2, ops: 3 } });
await row('fixed variant, threads<=3 ops<=2', fixed, { bounds: { threads: 3, ops: 2 } });
// About 10 minutes on 2 cores; its one-thread baseline (twice that) only with --baseline-full.
if (!quick) {
  await row('fixed variant, default bounds (3, 3)', fixed, {}, args.includes('--baseline-full'));
}
