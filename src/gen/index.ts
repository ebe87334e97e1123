import type { SpecIR } from '../ir.ts';
import type { GeneratedFile } from './files.ts';
import { header } from './header.ts';
import { generateLitmus, judgeLitmus, type JudgedLitmus } from './litmus.ts';
import { checkApi, generateReference } from './reference.ts';
import { bindOps } from '../harness/model/system.ts';
import { genUnsupported, type SourceFile } from '../spec/errors.ts';
import { specSource } from '../spec/load.ts';
import { unsupportedOffset } from './locate.ts';
import { generateTests } from './tests.ts';

/**
 * The folders `mempool-spec gen` writes into, below the output folder. A generated file
 * left in one of them whose source is gone (a scenario removed from the spec) is removed;
 * gen removes nothing anywhere else (see `planWrite`).
 */
export const GEN_FOLDERS: readonly string[] = ['litmus', 'litmus/js', 'reference', 'tests'];

/** Everything `mempool-spec gen` produces from one spec. */
export interface Generation {
  files: GeneratedFile[];
  /** The litmus tests with their computed verdicts. */
  judged: JudgedLitmus[];
  /** Scenarios whose computed verdict contradicts what the spec expects of them. */
  disagreements: { test: string; scenario: string; expect: string; verdict: string }[];
}

/**
 * Runs every generator on the IR and puts the generated-file header on every file.
 * Pure: the same IR gives the same files, byte for byte, in the same order.
 *
 * `recordedSource` is the spec's path as the files record it (the header, and `source` in
 * `tests/spec.ir.ts`), `ir.source` if not given; the CLI gives `recordedSpecPath`'s, so
 * that the output does not depend on the working directory or on how the path was typed.
 *
 * @throws SpecError `gen-unsupported` for a valid spec that lacks what the generators need
 *   (an operation of the pool's API, the variable min_nr, one timeout for all wait queues),
 *   or whose names or scenarios a generator cannot render (see `unsupportedAsSpecError`).
 */
export function generateAll(ir: SpecIR, recordedSource = ir.source): Generation {
  checkGenerable(ir);
  // Errors name and point into the spec by `ir` (its path as given, its text); the files
  // are generated from `named`.
  const named: SpecIR = recordedSource === ir.source ? ir : { ...ir, source: recordedSource };
  const { judged, raw } = unsupportedAsSpecError(ir, () => {
    const judged = judgeLitmus(named);
    return {
      judged,
      raw: [...generateReference(named), ...generateTests(named),
        ...generateLitmus(named, judged)],
    };
  });
  const files = raw
    .map((file) => (file.headerIncluded ? file : { ...file, content: withHeader(named, file) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  assertUniquePaths(files);
  for (const f of files) {
    if (!GEN_FOLDERS.includes(f.path.slice(0, Math.max(0, f.path.lastIndexOf('/'))))) {
      throw new Error(`gen: ${f.path} is outside GEN_FOLDERS`);
    }
  }

  const disagreements = judged
    .filter(({ compiled }) => compiled.removed.length === 0)
    .filter(({ compiled, verdict }) => (compiled.expect === 'never') !== (verdict === 'Never'))
    .map(({ compiled, verdict }) => ({
      test: compiled.test.name,
      scenario: compiled.scenario,
      expect: compiled.expect,
      verdict,
    }));
  return { files, judged, disagreements };
}

/** The generators' own requirements of a spec, checked before any of them runs. */
function checkGenerable(ir: SpecIR): void {
  try {
    checkApi(ir);
    bindOps(ir);
  } catch (e) {
    // Both throw only for a spec that lacks what they need; their messages name it.
    if (!(e instanceof Error)) throw e;
    const reason = e.message.replace(/^[\w -]+: /, '');
    throw genUnsupported(ir.source, reason, undefined, locate(ir, reason));
  }
}

/** Where in the spec's text `message` points, when the text is at hand. */
function locate(ir: SpecIR, message: string): { src: SourceFile; offset: number } | undefined {
  const src = specSource(ir);
  const offset = src && unsupportedOffset(ir, src, message);
  return src !== undefined && offset !== undefined ? { src, offset } : undefined;
}

/**
 * The generators check what they can render and throw plain Errors, their message starting
 * with the generator's name, for what they cannot: a spec name that herd7 reserves
 * (`spin_lock_x`), two spec names that print alike, a scenario whose `create` fails or that
 * never reaches an edge's label. Those are properties of the spec, so they become
 * `gen-unsupported` SpecErrors (exit 2, no stack trace) with the generator's message.
 *
 * The error points at the construct the message names (`unsupportedOffset`), found from
 * the message's text, so it is as precise as the message: a name, else the scenario, edge
 * or operation it is about, else the `spec` declaration. Known shortcoming: a generator bug
 * that throws a message of the same form would be reported the same way. Other errors
 * (TypeError, RangeError, ...) stay internal errors.
 */
function unsupportedAsSpecError<T>(ir: SpecIR, run: () => T): T {
  try {
    return run();
  } catch (e) {
    const generator = /^(litmus|toC|js-litmus|reference|model-based tests): /;
    if (e instanceof Error && e.constructor === Error && generator.test(e.message)) {
      throw genUnsupported(ir.source, e.message, 'rename what the message names, or change ' +
        'the scenario it names; `mempool-spec check` works on any valid spec',
      locate(ir, e.message));
    }
    throw e;
  }
}

function withHeader(ir: SpecIR, file: GeneratedFile): string {
  if (/\.(ts|mts|mjs|js)$/.test(file.path)) {
    return header(ir, 'slash', 'gen') + '\n' + file.content;
  }
  throw new Error(`gen: no header style for ${file.path}`);
}

function assertUniquePaths(files: GeneratedFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`gen: two generators emit ${f.path}`);
    seen.add(f.path);
  }
}
