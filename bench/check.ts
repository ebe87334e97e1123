// Benchmark of `mempool-spec check`: states, states/s and time for the full check of
// spec/mempool.mps and for each edge ablation. Run: node --import tsx bench/check.ts
// Optional arguments are passed on as bounds: `--threads 2 --ops 2`.
import { checkSpec, type CheckOptions, type CheckResult } from '../src/check/index.ts';
import { loadSpec } from '../src/spec/load.ts';

const args = process.argv.slice(2);
const bounds: Record<string, number> = {};
for (let i = 0; i + 1 < args.length; i += 2) {
  bounds[args[i].replace(/^--/, '')] = Number(args[i + 1]);
}

const ir = loadSpec('spec/mempool.mps');

function row(name: string, opts: CheckOptions): void {
  const r: CheckResult = checkSpec(ir, { bounds, ...opts });
  const t = r.totals;
  const cx = r.counterexample;
  const found = cx ? `${cx.property} in ${cx.configLabel}` : '';
  process.stdout.write(`${name.padEnd(28)} ${r.status.padEnd(15)} ` +
    `${String(t.states).padStart(9)} states ${String(t.statesPerSecond).padStart(7)} states/s ` +
    `${t.seconds.toFixed(2).padStart(7)}s  ${found}\n`);
}

row('full check', {});
for (const edge of ir.edges) row(`without ${edge.name}`, { without: [edge.name] });
