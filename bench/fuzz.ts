// Fuzzing of the spec front end and the generators: 10,000 grammar-aware mutants of the spec
// (test/support/spec-fuzz.ts) through parseSpec, and through generateAll when they parse.
// Reports inputs, how many were accepted and rejected, uncaught exceptions (anything but a
// SpecError), SpecErrors located outside their input, and the time taken.
// Run: node --import tsx bench/fuzz.ts [--runs N] [--seed S]   (npm run bench:fuzz)
// Exits 1 when there is an uncaught exception or a misplaced location.
import fc from 'fast-check';
import { locationProblem, mutantSpec, runFrontEnd } from '../test/support/spec-fuzz.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const runs = flag('runs', 10_000);
const seed = flag('seed', 5);

const counts = { inputs: 0, accepted: 0, rejected: 0, uncaught: 0, misplaced: 0 };
const codes = new Map<string, number>();
const problems: string[] = [];
let slowest = { ms: 0, length: 0 };
const started = performance.now();

const samples = fc.sample(mutantSpec(), { numRuns: runs, seed });
samples.forEach((text, index) => {
  const t0 = performance.now();
  const outcome = runFrontEnd(text);
  const ms = performance.now() - t0;
  if (ms > slowest.ms) slowest = { ms, length: text.length };
  counts.inputs++;
  if (outcome.kind === 'accepted') counts.accepted++;
  else if (outcome.kind === 'rejected') {
    counts.rejected++;
    codes.set(outcome.error.code, (codes.get(outcome.error.code) ?? 0) + 1);
    const where = locationProblem(outcome.error, text);
    if (where !== undefined) {
      counts.misplaced++;
      problems.push(`#${index} ${outcome.error.code}: ${where}: ${outcome.error.message}`);
    }
  } else {
    counts.uncaught++;
    const e = outcome.error;
    problems.push(`#${index} uncaught in ${outcome.stage}: ` +
      `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 300));
  }
  if ((index + 1) % 1000 === 0) {
    process.stderr.write(`  ${index + 1} inputs, ${((performance.now() - started) / 1000).toFixed(0)}s\n`);
  }
});

const seconds = (performance.now() - started) / 1000;
const byCode = [...codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
process.stdout.write(
  `fuzz: ${counts.inputs} inputs (seed ${seed}): ${counts.accepted} accepted and generated, ` +
    `${counts.rejected} rejected with a SpecError, ${counts.uncaught} uncaught exceptions, ` +
    `${counts.misplaced} errors located outside the input\n` +
    `fuzz: ${seconds.toFixed(1)}s, ${(seconds * 1000 / counts.inputs).toFixed(1)} ms per input, ` +
    `slowest ${slowest.ms.toFixed(0)} ms (${slowest.length} chars)\n` +
    `fuzz: rejections by code: ${byCode}\n`,
);
for (const p of problems.slice(0, 20)) process.stdout.write(`  ${p}\n`);
if (problems.length > 20) process.stdout.write(`  ... and ${problems.length - 20} more\n`);
process.exitCode = problems.length === 0 ? 0 : 1;
