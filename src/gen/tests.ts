import { bindOps } from '../harness/model/system.ts';
import type { SpecIR } from '../ir.ts';
import type { GeneratedFile } from './files.ts';
import { renderTemplate } from './templates.ts';

/**
 * The model-based and concurrent test suites for the generated reference pool, from the IR.
 * The suites themselves are thin: the logic lives in `src/harness/`, which
 * `mempool-spec validate` drives users' pools through too. What the suites need of the
 * spec they take from `tests/spec.ir.ts`, the IR written out as a typed constant.
 *
 * Files come without the generated-file header (the gen driver adds it) and are the same,
 * byte for byte, for the same IR. Throws if the spec lacks an operation the suites call.
 */
export function generateTests(ir: SpecIR): GeneratedFile[] {
  bindOps(ir);
  const describeTitle = `${ir.name}: ${ir.title}`;
  return [
    { path: 'tests/spec.ir.ts', content: renderTemplate('tests/spec.ir.ts.hbs', {
      name: ir.name,
      irJson: irLiteral(ir),
    }) },
    { path: 'tests/implementation.ts', content: renderTemplate('tests/implementation.ts.hbs', {
      name: ir.name,
    }) },
    { path: 'tests/model.test.ts', content: renderTemplate('tests/model.test.ts.hbs', {
      describeTitle: `${describeTitle} (model-based)`,
      runs: SUITE.modelRuns,
      maxCommands: SUITE.maxCommands,
    }) },
    { path: 'tests/concurrent.test.ts', content: renderTemplate('tests/concurrent.test.ts.hbs', {
      describeTitle: `${describeTitle} (concurrent)`,
      rounds: SUITE.rounds,
      workers: SUITE.workers,
      steps: SUITE.steps,
    }) },
  ];
}

/**
 * The IR as a TypeScript literal: JSON, with U+2028/U+2029 escaped (JSON leaves them raw), so
 * no spec text can break a line of the file.
 */
export function irLiteral(ir: SpecIR): string {
  return JSON.stringify(ir, null, 2).replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Sizes of the generated suites: chosen so each runs in a few seconds on two cores, and
 * deterministic (fixed default seed) unless the environment overrides seed and runs.
 */
export const SUITE = {
  /** fast-check runs of the model-based suite. */
  modelRuns: 1000,
  /** Commands per model-based run at most. */
  maxCommands: 50,
  /** Rounds of the concurrent suite, each on a fresh pool. */
  rounds: 32,
  /** Workers sharing the pool. */
  workers: 3,
  /** Steps per worker program at most. */
  steps: 60,
} as const;
