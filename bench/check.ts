// Benchmark of `mempool-spec check`: states, states/s and time for the default check of
// spec/mempool.mps (which stops at the kernel's dangling waiter), for each edge ablation, for
// the pre-fix variant, and for exhaustive passes of the fixed variant, up to its default
// bounds. Each run is timed in the same process on one worker per core, as the CLI runs it
// (`check --jobs`, default one per core), and on this thread alone (`checkSpec`), the
// baseline the ratio is against. The state counts of the two are the same by construction
// (results are recorded in configuration order); the benchmark checks that at every run.
//
// So that neither side is timed with a colder JIT than the other:
//   - before the table, one untimed warm-up run of each (the fixed variant at threads<=3
//     ops<=2 with min_nr=0, each configuration cut at 20,000 states, whose second pass runs
//     on the workers), so this thread has compiled the search and the pool's code before
//     any row is timed;
//   - a row whose first two runs both take under 2 s is run 5 times each, the two sides
//     alternating which goes first, and each side's median is reported (states/s from it);
//     larger rows run once each, workers first, where a JIT warm-up is lost in the noise;
//   - no ratio (`-`) where either median is under 0.05 s: that is timer noise.
// Every parallel run starts its workers afresh, as every `check` does: each worker loads the
// sources (tsx, about half a second) and warms its own JIT, and that is part of its time.
// Run: node --import tsx bench/check.ts
//
//   --quick          leave out the fixed variant at its default bounds (threads 3, ops 3),
//                    about 10 minutes on 2 cores
//   --baseline-full  time that one on one thread too (about 20 minutes more)
//   --jobs N         workers for the parallel runs (default: one per core)
//   --repeats N      runs of each side for a small row (default 5; 1: one run, workers first)
import { availableParallelism } from 'node:os';
import { checkSpec, type CheckOptions, type CheckResult } from '../src/check/index.ts';
import { checkSpecParallel } from '../src/check/parallel.ts';
import { loadSpec } from '../src/spec/load.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const jobs = flag('--jobs', availableParallelism());
const repeats = flag('--repeats', 5);
/** A row whose first runs both take less than this many seconds is repeated. */
const SMALL_SECONDS = 2;
/** No ratio where either side's median is below this many seconds. */
const MIN_RATIO_SECONDS = 0.05;

const spec = loadSpec('spec/mempool.mps');
const fixed = loadSpec('spec/variants/mempool-fixed.mps');
const preFix = loadSpec('spec/variants/mempool-pre-5b990546.mps');

// Three configurations in the second pass, so the pool runs; each stops at 20,000 states.
const warmUp = { bounds: { threads: 3, ops: 2 }, fix: { min_nr: 0 }, stateLimit: 20_000 };
checkSpec(fixed, warmUp);
await checkSpecParallel(fixed, warmUp, jobs);

process.stdout.write(`check on ${jobs} workers against 1 thread (same process, after a ` +
  `warm-up; rows under ${SMALL_SECONDS} s: median of ${repeats} runs each, order alternated)\n`);
process.stdout.write(`${'run'.padEnd(44)} ${'result'.padEnd(15)} ${'states'.padStart(9)} ` +
  `${'states/s'.padStart(8)} ${'time'.padStart(8)} ${'1 thread'.padStart(9)} ` +
  `${'ratio'.padStart(6)}  ${'runs'.padStart(4)}  found\n`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function row(name: string, ir: typeof spec, opts: CheckOptions,
  baseline = true): Promise<void> {
  const parallel: number[] = [];
  const alone: number[] = [];
  let r: CheckResult | undefined;
  let one: CheckResult | null = null;
  const same = (a: CheckResult, b: CheckResult): void => {
    if (a.totals.states !== b.totals.states || a.status !== b.status) {
      throw new Error(`${name}: one thread found ${a.totals.states} states (${a.status}), ` +
        `${jobs} workers ${b.totals.states} (${b.status})`);
    }
  };
  const onWorkers = async (): Promise<void> => {
    const x = await checkSpecParallel(ir, opts, jobs);
    if (r) same(r, x);
    r = x;
    parallel.push(x.totals.seconds);
  };
  const onThisThread = (): void => {
    const x = checkSpec(ir, opts);
    if (r) same(x, r);
    one = x;
    alone.push(x.totals.seconds);
  };
  await onWorkers();
  if (baseline) onThisThread();
  const small = parallel[0] < SMALL_SECONDS && (!baseline || alone[0] < SMALL_SECONDS);
  for (let i = 1; small && i < repeats; i++) {
    // Alternate which side goes first, so neither always runs right after the other.
    if (baseline && i % 2 === 1) onThisThread();
    await onWorkers();
    if (baseline && i % 2 === 0) onThisThread();
  }
  const result = r!;
  const seconds = median(parallel);
  const t = result.totals;
  const cx = result.counterexample;
  const found = cx ? `${cx.property} in ${cx.configLabel}` : result.exhaustive ? 'exhaustive' : '';
  const base = one ? `${median(alone).toFixed(2)}s` : '-';
  // Hundredths of a second are timer and scheduling noise, not a speed to compare.
  const ratio = one && Math.min(median(alone), seconds) >= MIN_RATIO_SECONDS
    ? `${(median(alone) / seconds).toFixed(2)}x` : '-';
  const perSecond = seconds > 0 ? Math.round(t.states / seconds) : 0;
  process.stdout.write(`${name.padEnd(44)} ${result.status.padEnd(15)} ` +
    `${String(t.states).padStart(9)} ${String(perSecond).padStart(8)} ` +
    `${seconds.toFixed(2).padStart(7)}s ${base.padStart(9)} ${ratio.padStart(6)}  ` +
    `${String(parallel.length).padStart(4)}  ${found}\n`);
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
