/**
 * A grammar-aware mutator of spec text for fuzzing the front end and the generators, shared
 * by test/spec/fuzz.test.ts (500 inputs) and bench/fuzz.ts (10,000).
 *
 * A mutant starts from a seed: the minimal fixture spec, the real spec, or the real spec's
 * header with a random subset of its declarations (small inputs keep the fuzzing fast, and
 * dropped declarations exercise the resolver's unknown-name paths). The seed is cut into
 * tokens the way the grammar sees them (words, numbers, doc strings, comments, operators,
 * punctuation, each with the white space before it), then 1 to 4 edits are applied: delete,
 * duplicate or swap tokens, replace one with a random identifier, a keyword, a long name,
 * unicode text or a huge number, insert a random token of the language, nest an expression
 * or a block very deeply, or cut the text short.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { packageRoot } from '../../src/paths.ts';
import { parseSpec, SpecError } from '../../src/spec/load.ts';
import { generateAll } from '../../src/gen/index.ts';
import type { SpecIR } from '../../src/ir.ts';

const read = (...p: string[]) => readFileSync(join(packageRoot, ...p), 'utf8');

/** The real spec without its comment lines (damage to a comment changes nothing). */
export const mempoolBase = read('spec', 'mempool.mps').replace(/^\s*#.*\n/gm, '');
export const minimalBase = read('test', 'fixtures', 'specs', 'minimal.mps');

const tokenPattern =
  /\s*(#[^\n]*|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][A-Za-z_0-9]*|[0-9]+|->|\.\.|[<>=!]=|&&|\|\||\S)/g;

/** `text` cut into tokens, each with the white space before it; joined they give it back. */
export function tokenize(text: string): string[] {
  const tokens = text.match(tokenPattern) ?? [];
  const rest = text.slice(tokens.join('').length);
  return rest === '' ? tokens : [...tokens, rest];
}

/**
 * The top-level declarations of a spec text without comment lines, each a slice of it that
 * starts with its keyword at the start of a line; the text before the first is left out.
 */
export function topLevelDeclarations(text: string): string[] {
  const starts = [...text.matchAll(
    /^(?:param|lock|queue|var|reserve|backing|ghost|op|invariant|liveness|edge|scenario)\b/gm)]
    .map((m) => m.index);
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}

/** The header and the top-level declarations of the real spec, each a slice of its text. */
const declarations = (() => {
  const all = topLevelDeclarations(mempoolBase);
  const starts = [mempoolBase.indexOf(all[0])];
  const firstOp = all.findIndex((d) => d.startsWith('op '));
  // The state declarations always stay (without a reserve nothing resolves); operations,
  // properties, edges and scenarios are the ones a fragment picks from.
  const header = mempoolBase.slice(0, starts[0]) + all.slice(0, firstOp).join('');
  return { header, decls: all.slice(firstOp) };
})();

const keywords = [
  'spec', 'param', 'in', 'lock', 'queue', 'timeout', 'ms', 'var', 'guarded', 'by', 'atomic',
  'lockless', 'reads', 'reserve', 'counted', 'backing', 'limited', 'ghost', 'op', 'exclusive',
  'break', 'continue', 'return', 'if', 'else', 'while', 'loop', 'unlock', 'wmb', 'rmb', 'mb',
  'enqueue', 'dequeue', 'sleep', 'wake', 'add_element', 'free_fn', 'remove_element',
  'alloc_fn', 'true', 'false', 'null', 'waiters', 'invariant', 'liveness',
  'no_dangling_waiter', 'on', 'edge', 'protects', 'witness', 'scenario', 'params', 'start',
  'shared', 'thread', 'never', 'sometimes', 'WRITE_ONCE', 'READ_ONCE', 'woken', 'int',
  'bool', 'elem',
];
const punctuation = [
  '{', '}', '(', ')', ',', ':', '=', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '!',
  '&&', '||', '->', '..', '.', '@', '"', '#', '\\',
];
/** Characters that break naive escaping, line counting or column arithmetic. */
const nasty = [
  '\u2028', '\u2029', '\r', '\r\n', '\t', '\0', '\uFEFF', '\uD800', '\uDC00', '😀', 'é',
  'e\u0301', '\u200B', '\u202E', '*/', '*)', '(*', '${', '`', '\\"', '\v', '\f',
];

type Edit =
  | { kind: 'rename'; at: number; text: string }
  | { kind: 'delete' | 'duplicate'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'replace' | 'insert'; at: number; text: string }
  | { kind: 'nest'; at: number; depth: number; shape: number }
  | { kind: 'truncate'; at: number };

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
const replacement = fc.oneof(
  identifier,
  fc.constantFrom(...keywords),
  fc.constantFrom(...punctuation),
  fc.constantFrom(...nasty),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.integer({ min: 20, max: 200_000 }).map((n) => 'n'.repeat(n)),
  fc.stringMatching(/^[0-9]{16,40}$/),
  fc.constantFrom('-9223372036854775808', '9007199254740993', '0..0', '3..1'),
  fc.string({ unit: fc.constantFrom(...nasty, 'a', ' ', '"'), maxLength: 20 })
    .map((s) => `"${s.replace(/"/g, '\\"')}"`),
);

/** Names of the real spec: a rename to one of them makes clashes and type errors. */
const specNames = [...new Set(mempoolBase.match(/\b[A-Za-z_][A-Za-z_0-9]*\b/g) ?? [])]
  .filter((n) => !keywords.includes(n));
/** Doc strings with text that must reach generated code only escaped. */
const hostileDoc = fc.string({
  unit: fc.constantFrom(...nasty.filter((c) => c !== '\r' && c !== '\r\n'), 'a', ' ',
    '\\"', '\\\\', "'", '</script>', '${x}', '%s', '{{x}}'),
  maxLength: 24,
}).map((s) => `"${s}"`);

/** Edits that keep the text in the grammar most of the time, so the resolver and gen see it. */
const gentleEdit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('rename' as const), at: fc.nat(),
      text: fc.oneof(identifier, fc.constantFrom(...specNames)),
    }),
  },
  fc.record({
    kind: fc.constant('replace' as const), at: fc.nat(),
    text: fc.oneof(fc.nat(6).map(String), hostileDoc),
  }),
);

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 2, arbitrary: gentleEdit },
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: replacement }),
  fc.record({
    kind: fc.constant('insert' as const), at: fc.nat(),
    text: replacement.map((t) => ` ${t}`),
  }),
  fc.record({
    kind: fc.constant('nest' as const), at: fc.nat(),
    depth: fc.oneof(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 60, max: 20_000 })),
    shape: fc.nat(3),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/** The text of a nesting edit: `depth` levels around (or in front of) token `inner`. */
function nest(inner: string, depth: number, shape: number): string {
  switch (shape) {
    case 0: return ' ' + '('.repeat(depth) + inner.trim() + ')'.repeat(depth);
    case 1: return ' ' + '!'.repeat(depth) + inner.trim();
    case 2: return ' ' + 'if true {'.repeat(depth) + inner.trim() + '}'.repeat(depth);
    default: return ` ${inner.trim()}` + ' + 1'.repeat(depth);
  }
}

function applyEdits(seed: string, edits: Edit[]): string {
  const ts = tokenize(seed);
  let cut: number | undefined;
  for (const e of edits) {
    if (ts.length === 0) break;
    const i = e.at % ts.length;
    switch (e.kind) {
      case 'rename': {
        // Every occurrence of the i-th identifier (or, failing that, the next one) renamed.
        const k = [...ts.keys()].map((d) => (i + d) % ts.length)
          .find((j) => /^\s*[A-Za-z_]\w*$/.test(ts[j]) && !keywords.includes(ts[j].trim()));
        if (k === undefined) break;
        const name = ts[k].trim();
        for (let j = 0; j < ts.length; j++) {
          if (ts[j].trim() === name) ts[j] = ts[j].replace(name, e.text);
        }
        break;
      }
      case 'delete': ts.splice(i, 1); break;
      case 'duplicate': ts.splice(i, 0, ts[i]); break;
      case 'swap': {
        const j = e.with % ts.length;
        [ts[i], ts[j]] = [ts[j], ts[i]];
        break;
      }
      case 'replace': ts[i] = (/^\s*/.exec(ts[i])?.[0] ?? '') + e.text; break;
      case 'insert': ts.splice(i, 0, e.text); break;
      case 'nest': ts[i] = nest(ts[i], e.depth, e.shape); break;
      case 'truncate': cut = e.at; break;
    }
  }
  const text = ts.join('');
  return cut === undefined ? text : text.slice(0, cut % (text.length + 1));
}

/** A seed: the minimal spec, the real one, or the real header with some declarations. */
const seed: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(minimalBase) },
  { weight: 1, arbitrary: fc.constant(mempoolBase) },
  {
    weight: 4,
    arbitrary: fc.subarray(declarations.decls, { minLength: 1, maxLength: 6 })
      .map((ds) => declarations.header + ds.join('')),
  },
);

/**
 * Mutated spec texts. One in `1 + roughPerGentle` is the real spec with 1 to 3 gentle edits
 * (renames, numbers, hostile doc strings), which mostly still resolves and reaches gen; the
 * others take any seed and any edits, and mostly exercise the parser's and resolver's errors.
 */
export function mutantSpec(roughPerGentle = 3): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 1,
      arbitrary: fc.array(gentleEdit, { minLength: 1, maxLength: 3 })
        .map((es) => applyEdits(mempoolBase, es)),
    },
    {
      weight: roughPerGentle,
      arbitrary: fc.tuple(seed, fc.array(edit, { minLength: 1, maxLength: 4 }))
        .map(([s, es]) => applyEdits(s, es)),
    },
  );
}

/** What the front end (and, when it accepts the text, gen) made of one input. */
export type FuzzOutcome =
  | { kind: 'accepted'; files: number }
  | { kind: 'rejected'; error: SpecError }
  | { kind: 'uncaught'; stage: 'parse' | 'gen'; error: unknown };

/** Runs parseSpec and, when it accepts, generateAll; never throws. */
export function runFrontEnd(text: string, path = 'fuzz.mps', gen = true): FuzzOutcome {
  let ir: SpecIR;
  try {
    ir = parseSpec(text, path);
  } catch (error) {
    if (error instanceof SpecError) return { kind: 'rejected', error };
    return { kind: 'uncaught', stage: 'parse', error };
  }
  if (!gen) return { kind: 'accepted', files: 0 };
  try {
    return { kind: 'accepted', files: generateAll(ir).files.length };
  } catch (error) {
    if (error instanceof SpecError) return { kind: 'rejected', error };
    return { kind: 'uncaught', stage: 'gen', error };
  }
}

/**
 * Why a SpecError's location is not inside `text`, or undefined when it is (or when it has
 * none: errors about the file as a whole). Lines are split at `\n`, columns count UTF-16
 * units, and the column just past the end of a line (or of the file) is inside.
 */
export function locationProblem(error: SpecError, text: string): string | undefined {
  if (error.line === undefined) {
    return error.col === undefined ? undefined : 'a column without a line';
  }
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = source.split('\n');
  if (!Number.isInteger(error.line) || error.line < 1 || error.line > lines.length) {
    return `line ${error.line} outside 1..${lines.length}`;
  }
  const width = lines[error.line - 1].length + 1;
  if (error.col === undefined || !Number.isInteger(error.col) || error.col < 1 || error.col > width) {
    return `column ${error.col} outside 1..${width} on line ${error.line}`;
  }
  return undefined;
}
