// Benchmark of `mempool-spec validate` on the faulty pools of test/fixtures/pools/: over 20
// seeds, how often each is caught with the default settings and how long detection takes
// (from the start of the command to the first failing run, unshrunk: `--no-shrink`), beside
// the time of a default run on a correct pool measured in the same run (the baseline every
// ratio is against). Run: node --import tsx bench/validate.ts
//
//   --seeds N          seeds per fixture (default 20)
//   --only a,b         only these fixtures
//   --dist             run the built package (dist/, what `npx mempool-spec` runs: its
//                      workers start without tsx) instead of the sources
import { loadSpec } from '../src/spec/load.ts';
import type { ValidationReport } from '../src/validate/index.ts';
import * as fromSources from '../src/validate/index.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const seeds = Number(opt('--seeds') ?? 20);
const fixtures = (opt('--only') ?? 'stale-read,unlock-then-join,free-no-retest,double-free,' +
  'woken-no-retest,resize-race,no-backing-retry,wake-before-refill').split(',');
const { validate } = (args.includes('--dist')
  ? await import(new URL('../dist/validate/index.js', import.meta.url).href)
  : fromSources) as typeof fromSources;
const ir = loadSpec('spec/mempool.mps');
const module = (name: string) => `test/fixtures/pools/${name}.mjs`;

const baseline = await validate({ ir, module: module('correct'), seed: 1 });
const baseSeconds = baseline.ms / 1000;
process.stdout.write(`baseline: the correct pool, default run, verdict ${baseline.verdict}, ` +
  `${baseSeconds.toFixed(1)} s\n`);

// The correct pool over a few seeds as well: a verdict there would be a false alarm.
const controlSeeds = Math.min(seeds, 5);
let falseAlarms = 0;
for (let seed = 2; seed < 2 + controlSeeds; seed++) {
  const r = await validate({ ir, module: module('correct'), seed });
  if (r.verdict !== 'pass') falseAlarms++;
}
process.stdout.write(`control: the correct pool failed ${falseAlarms} of ${controlSeeds} more ` +
  'default runs\n\n');

process.stdout.write(`${'fixture'.padEnd(20)} ${'caught'.padStart(7)} ${'median'.padStart(8)} ` +
  `${'max'.padStart(7)} ${'vs base'.padStart(8)}  drivers and verdicts\n`);
for (const name of fixtures) {
  const times: number[] = [];
  const found = new Map<string, number>();
  let caught = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r: ValidationReport = await validate({ ir, module: module(name), seed, noShrink: true });
    times.push(r.ms / 1000);
    if (r.verdict === 'pass') continue;
    caught++;
    const d = r.drivers.find((x) => x.failure)!;
    const key = `${d.driver}: ${r.verdict}`;
    found.set(key, (found.get(key) ?? 0) + 1);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  process.stdout.write(`${name.padEnd(20)} ${`${caught}/${seeds}`.padStart(7)} ` +
    `${median.toFixed(1).padStart(7)}s ${times.at(-1)!.toFixed(1).padStart(6)}s ` +
    `${(median / baseSeconds).toFixed(2).padStart(7)}x  ` +
    `${[...found].map(([k, n]) => `${k} (${n})`).join('; ')}\n`);
}
