/**
 * Shared helpers for the spec front-end tests: the real spec's text, mutations of it, and an
 * assertion that a text is rejected with a given code at the position of a marker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.ts';
import { parseSpec, SpecError } from '../../src/spec/load.ts';

/** The text of `spec/mempool.mps`. */
export const mempoolText = readFileSync(join(packageRoot, 'spec', 'mempool.mps'), 'utf8');

/** The text of the pre-fix variant. */
export const preFixText = readFileSync(
  join(packageRoot, 'spec', 'variants', 'mempool-pre-5b990546.mps'),
  'utf8',
);

/** `text` with the single occurrence of `from` replaced; fails the test if it is not unique. */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  expect(at, `"${from}" occurs in the spec`).toBeGreaterThanOrEqual(0);
  expect(text.indexOf(from, at + 1), `"${from}" occurs once`).toBe(-1);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line and column of `offset`, counted independently of the code under test. */
export function lineColOf(text: string, offset: number): { line: number; col: number } {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

/** The SpecError that parsing `text` throws; fails the test if it throws none. */
export function specErrorOf(text: string, path = 'spec/test.mps'): SpecError {
  try {
    parseSpec(text, path);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error('expected the spec to be rejected, but it was accepted');
}

/**
 * Asserts that `text` is rejected with `code` at the first occurrence of `marker` after
 * `after` (or at `marker` itself when it is a number: an offset).
 */
export function expectRejectedAt(
  text: string,
  code: string,
  marker: string | number,
  after = '',
): SpecError {
  const error = specErrorOf(text);
  const offset =
    typeof marker === 'number' ? marker : text.indexOf(marker, text.indexOf(after));
  expect(offset).toBeGreaterThanOrEqual(0);
  expect({ code: error.code, line: error.line, col: error.col }).toEqual({
    code,
    ...lineColOf(text, offset),
  });
  return error;
}

/** A broken variant of a spec and where it must be rejected. */
export interface RejectionCase {
  /** Completes "rejects ...": what is wrong. */
  title: string;
  /** `[text, replacement]` pairs, each text occurring once, applied in order. */
  edits: [string, string][];
  code: string;
  /** The error's position: the first occurrence of `marker` after `after`. */
  marker: string;
  after?: string;
}

/** One test per case: `base` with the case's edits is rejected with its code at its marker. */
export function itRejects(base: string, cases: RejectionCase[]): void {
  for (const { title, edits, code, marker, after } of cases) {
    it(title, () => {
      const text = edits.reduce((t, [from, to]) => replaceOnce(t, from, to), base);
      expectRejectedAt(text, code, marker, after);
    });
  }
}
