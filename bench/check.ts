// Benchmark of `mempool-spec check`: states, states/s and time for the default check of
// spec/mempool.mps (which stops at the kernel's dangling waiter), for each edge ablation, for
// the pre-fix variant, and for exhaustive passes of the fixed variant at the bounds that
// finish in minutes on the 2-core machine. Run: node --import tsx bench/check.ts
//
//   --full           also try the fixed variant at the spec's default bounds (threads 3,
//                    ops 3): each configuration stops at the state limit, after minutes
//   --limit N        the state limit per configuration for --full (default 2,000,000)
import { checkSpec, type CheckOptions, type CheckResult } from '../src/check/index.ts';
import { loadSpec } from '../src/spec/load.ts';

const args = process.argv.slice(2);
const full = args.includes('--full');
const limitAt = args.indexOf('--limit');
const stateLimit = limitAt >= 0 ? Number(args[limitAt + 1]) : 2_000_000;

const spec = loadSpec('spec/mempool.mps');
const fixed = loadSpec('spec/variants/mempool-fixed.mps');
const preFix = loadSpec('spec/variants/mempool-pre-5b990546.mps');

process.stdout.write(`${'run'.padEnd(44)} ${'result'.padEnd(15)} ${'states'.padStart(9)} ` +
  `${'states/s'.padStart(8)} ${'time'.padStart(8)}  found\n`);

function row(name: string, ir: typeof spec, opts: CheckOptions): CheckResult {
  const r = checkSpec(ir, opts);
  const t = r.totals;
  const cx = r.counterexample;
  const found = cx ? `${cx.property} in ${cx.configLabel}` : r.exhaustive ? 'exhaustive' : '';
  process.stdout.write(`${name.padEnd(44)} ${r.status.padEnd(15)} ` +
    `${String(t.states).padStart(9)} ${String(t.statesPerSecond).padStart(8)} ` +
    `${t.seconds.toFixed(2).padStart(7)}s  ${found}\n`);
  return r;
}

row('spec/mempool.mps (default bounds)', spec, {});
for (const edge of spec.edges) {
  row(`spec/mempool.mps --without ${edge.name}`, spec, { without: [edge.name] });
}
row('pre-5b990546 variant (default bounds)', preFix, {});
row('fixed variant, threads<=2 ops<=2', fixed, { bounds: { threads: 2, ops: 2 } });
row('fixed variant, threads<=2 ops<=3', fixed, { bounds: { threads: 2, ops: 3 } });
row('fixed variant, threads<=3 ops<=2', fixed, { bounds: { threads: 3, ops: 2 } });
if (full) {
  row(`fixed variant, default bounds, limit ${stateLimit}`, fixed, { stateLimit,
    onProgress: (line) => process.stderr.write(`${line}\n`) });
}
