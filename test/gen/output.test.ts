import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedFile } from '../../src/gen/files.ts';
import { generatedBy } from '../../src/gen/header.ts';
import { generateAll } from '../../src/gen/index.ts';
import { packageRoot } from '../../src/paths.ts';
import { parseSpec } from '../../src/spec/load.ts';
import { syntaxErrors, typecheckTrees, writeTrees, type Trees } from '../support/gen-trees.ts';
import { validSpec } from '../support/spec-build.ts';

/**
 * Text that would end a comment, a string or a template, or break a line, if it reached
 * generated code raw; written as a spec doc string writes it (`\"`, `\\`). `pwned_*` names
 * would become identifiers of the generated code if anything got out.
 */
const HOSTILE = String.raw`/* pwned_doc */ pwned_code (* *) \" ' \\ ` +
  '`pwned_tick` ${pwned_call()} ' +
  '\u2028 pwned_ls \u2029 pwned_ps \r pwned_cr // <!-- {{pwned}} end';
/** A spec path with the same and a real newline: it reaches every file's header. */
const HOSTILE_PATH = 'spec/pwned */ `${pwned_path}` \u2028\n(*.mps';

const spec = readFileSync(join(packageRoot, 'spec', 'mempool.mps'), 'utf8');
/** The real spec with the hostile text added to every doc string. */
const hostileSpec = spec.replace(/"((?:[^"\\\n]|\\.)*)"/g, (_m, body) => `"${body} ${HOSTILE}"`);

const generate = (text: string, path: string): GeneratedFile[] =>
  generateAll(parseSpec(text, path)).files;

/** Every identifier of a TypeScript or JavaScript file: what the code names, not its text. */
function identifiers(file: GeneratedFile): string[] {
  const source = ts.createSourceFile(file.path, file.content, ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) names.push(node.text);
    node.forEachChild(visit);
  };
  visit(source);
  return names;
}

const isCode = (f: GeneratedFile): boolean => /\.(ts|mjs)$/.test(f.path);

// Built once: a handful of random valid specs, whose output the type-check below covers
// together with the hostile spec's (one tsc program for all of them).
const hostileFiles = generate(hostileSpec, HOSTILE_PATH);
const built = fc.sample(validSpec(), { numRuns: 4, seed: 20261204 });
let trees: Trees;
let typecheck: Promise<string>;

beforeAll(() => {
  trees = writeTrees('gen-output', {
    hostile: hostileFiles,
    ...Object.fromEntries(built.map((b, i) => [`built${i}`, generate(b.text, `built${i}.mps`)])),
  });
  typecheck = typecheckTrees(trees);
});

afterAll(() => trees?.remove());

describe('gen on spec text that would break generated code if it got out', () => {
  const files = hostileFiles;

  it('carries the hostile text into the output, so the checks below see it', () => {
    const all = files.map((f) => f.content).join('\n');
    for (const marker of ['pwned_doc', 'pwned_tick', 'pwned_call', 'pwned_path']) {
      expect(all).toContain(marker);
    }
    for (const where of ['reference/mempool.ts', 'tests/spec.ir.ts', 'litmus/js/']) {
      expect(files.some((f) => f.path.startsWith(where) && f.content.includes('pwned_doc')),
        where).toBe(true);
    }
    expect(files.some((f) => f.path.endsWith('.litmus') && f.content.includes('pwned_doc')))
      .toBe(true);
  });

  it('never lets it become code: no pwned identifier, no syntax error, in any TS or JS file',
    () => {
      for (const file of files.filter(isCode)) {
        expect(syntaxErrors(file), file.path).toEqual([]);
        expect(identifiers(file).filter((n) => n.startsWith('pwned')), file.path).toEqual([]);
      }
    });

  it('breaks no line: no raw carriage return, newline inside text, U+2028 or U+2029', () => {
    for (const file of files) {
      expect(file.content, file.path).not.toMatch(/[\r\u2028\u2029]/);
      // A newline of the path would start a line of its own, outside its comment.
      expect(file.content.split('\n').some((line) => line.startsWith('(*.mps')), file.path)
        .toBe(false);
    }
  });

  it('keeps litmus files to one comment, closed before the program starts', () => {
    for (const file of files.filter((f) => f.path.endsWith('.litmus'))) {
      const close = file.content.indexOf('*)');
      expect(file.content.indexOf('(*'), file.path).toBe(file.content.indexOf('\n(*') + 1);
      expect(file.content.slice(file.content.indexOf('(*') + 2, close), file.path)
        .not.toContain('(*');
      expect(file.content.slice(close), file.path).not.toContain('pwned');
    }
  });

  it('opens every file with the header by which gen knows its own files (to replace, remove)',
    () => {
      for (const file of files) expect(generatedBy(file.path, file.content), file.path).toBe('gen');
    });

  it('type-checks as a whole (tsc on the output tree)', async () => {
    expect(await typecheck).toBe('');
  }, 120_000);
});

describe('gen on random valid specs built from the language', () => {
  it('accepts them and gives the same bytes every time, in files TypeScript can parse', () => {
    fc.assert(fc.property(validSpec(), (b) => {
      const first = generate(b.text, 'built.mps');
      expect(generate(b.text, 'built.mps')).toEqual(first);
      for (const file of first.filter(isCode)) {
        expect(syntaxErrors(file), file.path).toEqual([]);
      }
      for (const file of first) expect(generatedBy(file.path, file.content), file.path).toBe('gen');
    }), { numRuns: 8, seed: 5 });
  }, 120_000);

  it('changes with the spec: two different built specs give different IR files', () => {
    const [a, b] = built.map((s) => generate(s.text, 'built.mps')
      .find((f) => f.path === 'tests/spec.ir.ts')?.content);
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
  });

  it('covers extra operations, and their output type-checks (tsc on four outputs)',
    async () => {
      expect(built.some((b) => b.extraOps > 0)).toBe(true);
      expect(await typecheck).toBe('');
    }, 120_000);
});
