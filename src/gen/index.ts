import type { SpecIR } from '../ir.ts';
import type { GeneratedFile } from './files.ts';
import { header } from './header.ts';
import { generateLitmus, judgeLitmus, type JudgedLitmus } from './litmus.ts';
import { generateReference } from './reference.ts';
import { generateTests } from './tests.ts';

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
 */
export function generateAll(ir: SpecIR): Generation {
  const judged = judgeLitmus(ir);
  const raw = [...generateReference(ir), ...generateTests(ir), ...generateLitmus(ir, judged)];
  const files = raw
    .map((file) => (file.headerIncluded ? file : { ...file, content: withHeader(ir, file) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  assertUniquePaths(files);

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

function withHeader(ir: SpecIR, file: GeneratedFile): string {
  if (/\.(ts|mts|mjs|js)$/.test(file.path)) return header(ir, 'slash') + '\n' + file.content;
  throw new Error(`gen: no header style for ${file.path}`);
}

function assertUniquePaths(files: GeneratedFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`gen: two generators emit ${f.path}`);
    seen.add(f.path);
  }
}
