/**
 * Every error a spec file can cause, made here by named factories.
 *
 * Each error has a stable code (catalogued with cause, example and fix in docs/errors.md),
 * the position it points at, and a hint. `SpecError.format()` prints it the way compilers
 * do: `path:line:col: error[code]: message`, the source line with a caret, and the hint.
 */
import type { Span } from './ast.ts';

/** The stable error codes; docs/errors.md has one entry per code. */
export const specErrorCodes = [
  'file',
  'syntax',
  'bad-number',
  'unknown-name',
  'duplicate-name',
  'missing-label',
  'barrier-pairing',
  'barrier-mismatch',
  'edge-not-under-lock',
  'missing-witness',
  'unguarded-access',
  'unlock-not-held',
  'lock-already-held',
  'return-holding-lock',
  'missing-return',
  'type-mismatch',
  'misplaced',
  'wrong-arity',
  'bad-declaration',
  'bad-range',
  'bad-scenario',
  'unknown-outcome-name',
  'missing-param-value',
  'param-out-of-range',
  'too-large',
  'gen-unsupported',
  'write-failed',
  'endless-local-loop',
] as const;

/** One of `specErrorCodes`. */
export type SpecErrorCode = (typeof specErrorCodes)[number];

/** A spec file being read: its path as given, and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** Where an error points: 1-based line and column, and the text of that line. */
interface Position {
  line: number;
  col: number;
  lineText: string;
}

/** An error in a spec file, or a spec file that cannot be read. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  readonly code: SpecErrorCode;
  readonly file: string;
  /** 1-based; absent when the error is about the file as a whole. */
  readonly line?: number;
  /** 1-based, in UTF-16 code units; absent when `line` is. */
  readonly col?: number;
  readonly hint: string;
  private readonly lineText?: string;

  constructor(code: SpecErrorCode, file: string, message: string, hint: string, at?: Position) {
    super(message);
    this.code = code;
    this.file = file;
    this.hint = hint;
    if (at !== undefined) {
      this.line = at.line;
      this.col = at.col;
      this.lineText = at.lineText;
    }
  }

  /** The error as a compiler prints it: location, message, source line with caret, hint. */
  format(): string {
    if (this.line === undefined || this.col === undefined || this.lineText === undefined) {
      return `${this.file}: error[${this.code}]: ${this.message}\nhint: ${this.hint}`;
    }
    const gutter = String(this.line).padStart(5);
    const blank = ' '.repeat(gutter.length);
    // Tabs stay tabs so that the caret lines up with the source line however it is shown.
    const lead = [...this.lineText.slice(0, this.col - 1)].map((ch) => (ch === '\t' ? '\t' : ' '));
    return [
      `${this.file}:${this.line}:${this.col}: error[${this.code}]: ${this.message}`,
      `${gutter} | ${visible(this.lineText)}`,
      `${blank} | ${lead.join('')}^`,
      `hint: ${this.hint}`,
    ].join('\n');
  }
}

/**
 * The source line as it may be printed to a terminal: every control character but the tab
 * becomes `?`, one for one, so a spec cannot send escape sequences to the reader's terminal
 * and the caret below still lines up.
 */
function visible(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

/** The 1-based line and column of `offset` in `text`, with the line's text. */
export function positionOf(text: string, offset: number): Position {
  const at = Math.max(0, Math.min(offset, text.length));
  const lineStart = at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1;
  const newline = text.indexOf('\n', at);
  const lineEnd = newline === -1 ? text.length : newline;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < lineStart; i = text.indexOf('\n', i + 1)) {
    line++;
  }
  const lineText = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  return { line, col: at - lineStart + 1, lineText };
}

function located(
  code: SpecErrorCode,
  src: SourceFile,
  span: Span | number,
  message: string,
  hint: string,
): SpecError {
  const offset = typeof span === 'number' ? span : span.start;
  return new SpecError(code, src.path, message, hint, positionOf(src.text, offset));
}

/** The closest of `candidates` to `name`, if it is close enough to be a likely typo. */
function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** "did you mean ...?" for a close candidate, else `otherwise`. */
function guessOr(
  name: string,
  known: readonly string[],
  otherwise: string,
  show: (guess: string) => string = (guess) => guess,
): string {
  const guess = closest(name, known);
  return guess === undefined ? otherwise : `did you mean \`${show(guess)}\`?`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

function listOrNone(names: readonly string[]): string {
  return names.length === 0 ? 'none is declared' : `declared: ${names.join(', ')}`;
}

/** The spec file does not exist or cannot be read. */
export function fileUnreadable(path: string, reason: string): SpecError {
  return new SpecError(
    'file',
    path,
    `cannot read the spec file: ${reason}`,
    'check the path; spec files are read relative to the working directory',
  );
}

/** The text does not match the grammar; `offset` is ohm's rightmost failure position. */
export function syntaxError(src: SourceFile, offset: number, expected: string): SpecError {
  // A doc string is one token to ohm, so its failures are reported at the opening quote;
  // find the character that actually breaks it.
  if (src.text[offset] === '"' && expected.includes('a doc string')) {
    const broken = brokenDocString(src.text, offset);
    if (broken !== undefined) return located('syntax', src, broken.at, broken.message, broken.hint);
  }
  const found = src.text.slice(offset, offset + 1);
  const what = found === '' ? 'the end of the file' : describeChar(found);
  const hint = followsJump(src.text, offset)
    ? 'nothing may follow `return`, `break` or `continue` in its block: it would be unreachable'
    : 'docs/spec-language.md shows the syntax of every construct';
  return located('syntax', src, offset, `expected ${expected}, found ${what}`, hint);
}

/** Where and why the doc string opening at `open` is malformed, if it is. */
function brokenDocString(
  text: string,
  open: number,
): { at: number; message: string; hint: string } | undefined {
  const unterminated = 'a doc string ends with `"` on the line it starts; adjacent strings join';
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') return undefined;
    if (ch === '\n' || ch === '\r') {
      return { at: i, message: 'unterminated doc string', hint: unterminated };
    }
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined || next === '\n' || next === '\r') {
        return { at: i + 1, message: 'unterminated doc string', hint: unterminated };
      }
      if (next === '"' || next === '\\') {
        i++;
        continue;
      }
      return {
        at: i,
        message: `unknown escape \`\\${next}\` in a doc string`,
        hint: 'the only escapes are \\" and \\\\',
      };
    }
  }
  return { at: text.length, message: 'unterminated doc string', hint: unterminated };
}

/** Whether the last code line before `offset` is a jump (a likely cause of the error). */
function followsJump(text: string, offset: number): boolean {
  const before = text.slice(0, offset).split('\n').map((l) => l.replace(/#.*/, '').trim());
  const previous = before.slice(0, -1).reverse().find((l) => l !== '');
  const jump = /^(return|break|continue)\b/;
  return before.at(-1) === '' && previous !== undefined && jump.test(previous);
}

function describeChar(ch: string): string {
  if (ch === '\n' || ch === '\r') return 'the end of the line';
  if (ch === '\t' || ch === ' ') return 'white space';
  return JSON.stringify(ch);
}

/** Text nested so deeply that the parser runs out of stack. */
export function tooDeep(src: SourceFile): SpecError {
  return new SpecError(
    'syntax',
    src.path,
    'the spec is nested too deeply to parse',
    'split deeply nested expressions or blocks into several statements',
  );
}

/** A spec file (in UTF-8 bytes) larger than the front end reads. */
export function fileTooLarge(path: string, bytes: number, limit: number): SpecError {
  return new SpecError(
    'too-large',
    path,
    `the spec is ${bytes} bytes; specs may be at most ${limit} bytes`,
    'a spec describes one data structure: split unrelated structures into separate specs',
  );
}

/** A name longer than the generators can put into file names and identifiers. */
export function nameTooLong(src: SourceFile, span: Span, limit: number): SpecError {
  return located(
    'too-large',
    src,
    span,
    `a name of ${span.end - span.start} characters; names may be at most ${limit}`,
    'names become TypeScript identifiers and litmus file names: use a shorter one',
  );
}

/**
 * The spec is valid, but lacks something `gen` needs (an operation of the pool's API...) or
 * has something a generator cannot render; `at` is the construct in the spec's text, when
 * it is known (see src/gen/locate.ts).
 */
export function genUnsupported(file: string, reason: string,
  hint = '`mempool-spec check` works on any valid spec; gen needs the operations create(), ' +
    'alloc(bool) -> elem, free(elem), resize(int) -> int and destroy(), and a variable min_nr',
  at?: { src: SourceFile; offset: number }): SpecError {
  const message = `gen cannot generate from this spec: ${reason}`;
  if (at !== undefined) return located('gen-unsupported', at.src, at.offset, message, hint);
  return new SpecError('gen-unsupported', file, message, hint);
}

/**
 * gen could not write its output: `file` is the output file it was writing, `replaced`
 * whether some files had been renamed over their targets already (a failure while
 * renaming) or none (a failure while writing the temporary files, which changes nothing).
 */
export function writeFailed(file: string, reason: string, replaced: boolean): SpecError {
  return new SpecError('write-failed', file,
    `cannot write this generated file: ${reason}` + (replaced
      ? '; some files of the folder were replaced already, the others are as they were'
      : '; nothing in the output folder was changed'),
    'free some space or fix what is in the way (a file where gen needs a folder, a folder ' +
      'it may not write to), then run gen again');
}

/** A number literal too large to be exact. */
export function badNumber(src: SourceFile, span: Span, text: string): SpecError {
  return located(
    'bad-number',
    src,
    span,
    `the number ${text} is too large`,
    `numbers must be at most ${Number.MAX_SAFE_INTEGER}`,
  );
}

/** A name that nothing declares. `kind` says what was looked for ("lock", "label", ...). */
export function unknownName(
  src: SourceFile,
  span: Span,
  kind: string,
  name: string,
  known: readonly string[],
): SpecError {
  const hint = guessOr(name, known, `declare the ${kind} first (${listOrNone(known)})`);
  return located('unknown-name', src, span, `unknown ${kind} \`${name}\``, hint);
}

/** A name declared twice in one namespace. */
export function duplicateName(
  src: SourceFile,
  span: Span,
  kind: string,
  name: string,
  first: Span,
): SpecError {
  const { line, col } = positionOf(src.text, first.start);
  return located(
    'duplicate-name',
    src,
    span,
    `${kind} \`${name}\` is declared twice`,
    `the first declaration is at ${line}:${col}; rename or remove one of them`,
  );
}

/** A label reference (`@op.label`) that names no step of the operation. */
export function missingLabel(
  src: SourceFile,
  span: Span,
  op: string,
  label: string,
  known: readonly string[],
): SpecError {
  const labels = known.join(', ') || 'none';
  return located(
    'missing-label',
    src,
    span,
    `operation \`${op}\` has no step labelled \`@${label}\``,
    guessOr(
      label,
      known,
      `put \`@${label}\` after the step in \`${op}\` (labels there: ${labels})`,
      (guess) => `@${op}.${guess}`,
    ),
  );
}

/** A barrier that cannot stand on that side of a barrier edge. */
export function barrierPairing(
  src: SourceFile,
  span: Span,
  side: 'writer' | 'reader',
  barrier: string,
): SpecError {
  const allowed = side === 'writer' ? 'wmb, mb or unlock' : 'rmb, mb or lock';
  return located(
    'barrier-pairing',
    src,
    span,
    `\`${barrier}\` cannot be the ${side} side of a barrier edge`,
    `the ${side} side (${side === 'writer' ? 'left' : 'right'} of \`->\`) must be ${allowed}`,
  );
}

/** An edge says one barrier kind, but the labelled step is something else. */
export function barrierMismatch(
  src: SourceFile,
  span: Span,
  barrier: string,
  where: string,
  actual: string,
): SpecError {
  return located(
    'barrier-mismatch',
    src,
    span,
    `the edge names \`${barrier}\` at \`${where}\`, but that step is ${actual}`,
    `point the edge at a \`${barrier}\` step, or change the barrier it names`,
  );
}

/** A lock edge whose `from` step is not inside the lock, or whose `to` never took it. */
export function edgeNotUnderLock(
  src: SourceFile,
  span: Span,
  where: string,
  lock: string,
  side: 'from' | 'to',
): SpecError {
  const need =
    side === 'from'
      ? `\`${where}\` must run while \`${lock}\` is held on every path`
      : `\`${where}\` must come after taking \`${lock}\` on every path`;
  return located(
    'edge-not-under-lock',
    src,
    span,
    `a lock edge over \`${lock}\` does not hold at \`${where}\``,
    need,
  );
}

/** An edge's `witness` names no scenario. */
export function missingWitness(
  src: SourceFile,
  span: Span,
  name: string,
  known: readonly string[],
): SpecError {
  return located(
    'missing-witness',
    src,
    span,
    `the witness scenario \`${name}\` does not exist`,
    guessOr(
      name,
      known,
      `write a scenario \`${name}\` whose outcome the edge forbids (${listOrNone(known)})`,
    ),
  );
}

/** A lock-guarded variable read or written where its lock may not be held. */
export function unguardedAccess(
  src: SourceFile,
  span: Span,
  variable: string,
  lock: string,
  access: 'read' | 'write' | 'reserve',
  op: string,
): SpecError {
  const what =
    access === 'reserve'
      ? `the reserve (counted by \`${variable}\`) is used`
      : `\`${variable}\` is ${access === 'read' ? 'read' : 'written'}`;
  const hint =
    access === 'read'
      ? `take \`${lock}\` first, or label the step and declare it: ` +
        `\`var ${variable} ... lockless reads @${op}.<label>\``
      : `take \`${lock}\` first; only reads may be declared lockless`;
  return located(
    'unguarded-access',
    src,
    span,
    `${what} without \`${lock}\` on some path`,
    hint,
  );
}

/** An `unlock` of a lock that some path reaches without holding it. */
export function unlockNotHeld(src: SourceFile, span: Span, lock: string): SpecError {
  return located(
    'unlock-not-held',
    src,
    span,
    `\`${lock}\` may not be held here`,
    `every path to this unlock must take \`${lock}\` first`,
  );
}

/** A `lock` of a lock that some path already holds (a spin lock deadlocks on itself). */
export function lockAlreadyHeld(src: SourceFile, span: Span, lock: string): SpecError {
  return located(
    'lock-already-held',
    src,
    span,
    `\`${lock}\` may already be held here`,
    'spin locks do not nest; unlock on every path that reaches this lock',
  );
}

/** A `return`, or the end of an operation, reached while holding a lock. */
export function returnHoldingLock(
  src: SourceFile,
  span: Span,
  locks: readonly string[],
): SpecError {
  return located(
    'return-holding-lock',
    src,
    span,
    `the operation may return holding ${locks.map((l) => `\`${l}\``).join(', ')}`,
    'unlock before returning, on every path',
  );
}

/** A non-void operation whose body can end without `return`. */
export function missingReturn(src: SourceFile, span: Span, op: string, type: string): SpecError {
  return located(
    'missing-return',
    src,
    span,
    `\`${op}\` returns ${type}, but a path reaches the end of its body`,
    'end every path with `return <value>`',
  );
}

/** An expression of the wrong type. */
export function typeMismatch(
  src: SourceFile,
  span: Span,
  expected: string,
  actual: string,
  what: string,
): SpecError {
  return located(
    'type-mismatch',
    src,
    span,
    `${what} must be ${expected}, but it is ${actual}`,
    'ints, bools and elements never convert into each other; compare explicitly ' +
      '(`curr_nr != 0`, `e == null`)',
  );
}

/** A construct in a place where it has no meaning (e.g. `break` outside a loop). */
export function misplaced(src: SourceFile, span: Span, what: string, hint: string): SpecError {
  return located('misplaced', src, span, what, hint);
}

/** A call with the wrong number of arguments. */
export function wrongArity(
  src: SourceFile,
  span: Span,
  fn: string,
  expected: number,
  actual: number,
): SpecError {
  return located(
    'wrong-arity',
    src,
    span,
    `\`${fn}\` takes ${expected} argument${expected === 1 ? '' : 's'}, not ${actual}`,
    `pass exactly ${expected}`,
  );
}

/** A declaration that is missing, repeated where one is allowed, or inconsistent. */
export function badDeclaration(
  src: SourceFile,
  span: Span,
  message: string,
  hint: string,
): SpecError {
  return located('bad-declaration', src, span, message, hint);
}

/** A parameter whose range is empty or negative. */
export function badRange(src: SourceFile, span: Span, name: string, min: number, max: number) {
  return located(
    'bad-range',
    src,
    span,
    `the range ${min}..${max} of parameter \`${name}\` is empty`,
    'write the smaller bound first: `param name in min..max`',
  );
}

/** A scenario without exactly one expectation, or without threads. */
export function badScenario(src: SourceFile, span: Span, message: string, hint: string) {
  return located('bad-scenario', src, span, message, hint);
}

/** An outcome naming a thread, register, variable or queue the scenario does not have. */
export function unknownOutcomeName(
  src: SourceFile,
  span: Span,
  kind: string,
  name: string,
  known: readonly string[],
): SpecError {
  return located(
    'unknown-outcome-name',
    src,
    span,
    `\`${name}\` in the outcome is not a ${kind}`,
    guessOr(name, known, listOrNone(known)),
  );
}

/** A scenario that does not give a value to some spec parameter. */
export function missingParamValue(
  src: SourceFile,
  span: Span,
  scenario: string,
  params: readonly string[],
): SpecError {
  return located(
    'missing-param-value',
    src,
    span,
    `scenario \`${scenario}\` gives no value to ${params.map((p) => `\`${p}\``).join(', ')}`,
    `give every parameter a value: \`params ${params.map((p) => `${p} = ...`).join(', ')}\``,
  );
}

/** A scenario's parameter value outside the parameter's declared range. */
export function paramOutOfRange(
  src: SourceFile,
  span: Span,
  name: string,
  value: number,
  min: number,
  max: number,
): SpecError {
  return located(
    'param-out-of-range',
    src,
    span,
    `${name} = ${value} is outside its declared range ${min}..${max}`,
    `choose a value in ${min}..${max}, or widen \`param ${name}\``,
  );
}
