/**
 * The public entry points of the spec front end: a spec file (or text) to its checked IR.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { fileUnreadable, SpecError, tooDeep, type SourceFile } from './errors.ts';
import { parseAst } from './parse.ts';
import { resolveSpec } from './resolve.ts';
import type { SpecIR } from '../ir.ts';

export { SpecError } from './errors.ts';

/**
 * Reads, parses and checks the spec file at `path`.
 *
 * `SpecIR.source` is the path relative to the working directory (with `/` separators), and
 * `SpecIR.sha256` the hash of the file's bytes.
 *
 * @throws SpecError on a missing or unreadable file and on any syntax or semantic error.
 */
export function loadSpec(path: string): SpecIR {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fileUnreadable(path, describeIoError(e));
  }
  const source = relative(process.cwd(), resolve(path)).split(sep).join('/');
  return check({ path, text: bytes.toString('utf8') }, source, sha256(bytes));
}

/**
 * Parses and checks spec `text`; `path` names it in errors and becomes `SpecIR.source`.
 *
 * @throws SpecError on any syntax or semantic error.
 */
export function parseSpec(text: string, path: string): SpecIR {
  return check({ path, text }, path, sha256(Buffer.from(text, 'utf8')));
}

function check(file: SourceFile, source: string, hash: string): SpecIR {
  // A byte-order mark is part of the hashed bytes but not of the language.
  const src = file.text.startsWith('\uFEFF') ? { ...file, text: file.text.slice(1) } : file;
  try {
    return resolveSpec(parseAst(src), src, { source, sha256: hash });
  } catch (e) {
    // The parser and the resolver recurse once per nesting level (several frames deep in
    // ohm), so absurd nesting exhausts the stack; that is a property of the text.
    if (e instanceof RangeError) throw tooDeep(src);
    throw e;
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function describeIoError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}
