/**
 * The public entry points of the spec front end: a spec file (or text) to its checked IR.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import {
  fileTooLarge, fileUnreadable, nameTooLong, SpecError, tooDeep, type SourceFile,
} from './errors.ts';
import { parseAst } from './parse.ts';
import { resolveSpec } from './resolve.ts';
import type { SpecIR } from '../ir.ts';

export { SpecError } from './errors.ts';

/**
 * The largest spec the front end reads, in UTF-8 bytes. The parser memoizes per character
 * and position (several hundred bytes of heap per character of input), so a spec of a few
 * megabytes would take seconds and gigabytes; the real spec is about 13 KiB.
 */
export const MAX_SPEC_BYTES = 256 * 1024;

/** The longest name (identifier, label, part of a dotted name): names reach file names. */
export const MAX_NAME_LENGTH = 64;

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
  let fd: number | undefined;
  try {
    // The size first, so a huge file is refused without reading it into memory.
    fd = openSync(path, 'r');
    const { size } = fstatSync(fd);
    if (size > MAX_SPEC_BYTES) throw fileTooLarge(path, size, MAX_SPEC_BYTES);
    bytes = readFileSync(fd);
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw fileUnreadable(path, describeIoError(e));
  } finally {
    if (fd !== undefined) closeSync(fd);
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

/** The text each IR this process loaded was resolved from (BOM removed), for late errors. */
const sources = new WeakMap<SpecIR, SourceFile>();

/**
 * The source an IR was resolved from, so that an error found after resolution (gen's
 * `gen-unsupported`) can point into it: the text `loadSpec`/`parseSpec` read, or, for an IR
 * from elsewhere (a copy, JSON), the file `SpecIR.source` names if its bytes still have the
 * IR's sha-256. Undefined when neither is available.
 */
export function specSource(ir: SpecIR): SourceFile | undefined {
  const known = sources.get(ir);
  if (known !== undefined) return known;
  try {
    const stats = statSync(ir.source);
    if (!stats.isFile() || stats.size > MAX_SPEC_BYTES) return undefined;
    const bytes = readFileSync(ir.source);
    if (sha256(bytes) !== ir.sha256) return undefined;
    const text = bytes.toString('utf8');
    return { path: ir.source, text: withoutBom(text) };
  } catch {
    return undefined;
  }
}

/** `text` without the byte-order mark an editor may have put first. */
function withoutBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

function check(file: SourceFile, source: string, hash: string): SpecIR {
  const bytes = Buffer.byteLength(file.text, 'utf8');
  if (bytes > MAX_SPEC_BYTES) throw fileTooLarge(file.path, bytes, MAX_SPEC_BYTES);
  // A byte-order mark is part of the hashed bytes but not of the language.
  const src = { ...file, text: withoutBom(file.text) };
  checkNameLengths(src);
  try {
    const ir = resolveSpec(parseAst(src), src, { source, sha256: hash });
    sources.set(ir, src);
    return ir;
  } catch (e) {
    // The parser and the resolver recurse once per nesting level (several frames deep in
    // ohm), so absurd nesting exhausts the stack; that is a property of the text.
    if (e instanceof RangeError) throw tooDeep(src);
    throw e;
  }
}

/**
 * Refuses a name longer than MAX_NAME_LENGTH before parsing, at the name. Scans the text as
 * the grammar's lexical rules do: `#` comments and doc strings are skipped, and a run of
 * letters, digits and `_` that is not all digits is a name (or will fail to parse as one).
 */
function checkNameLengths(src: SourceFile): void {
  const token = /#[^\n]*|"(?:[^"\\\n]|\\.)*"?|[A-Za-z0-9_]+/g;
  for (const m of src.text.matchAll(token)) {
    const t = m[0];
    if (t.length > MAX_NAME_LENGTH && /^[A-Za-z0-9_]+$/.test(t) && !/^[0-9]+$/.test(t)) {
      throw nameTooLong(src, { start: m.index, end: m.index + t.length }, MAX_NAME_LENGTH);
    }
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
