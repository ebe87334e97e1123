import type { Loc, SpecIR } from '../ir.ts';
import type { SourceFile } from '../spec/errors.ts';

/**
 * Where in the spec a generator's complaint points: the construct its message names.
 *
 * The generators (and the litmus compiler behind them) throw plain Errors whose message
 * starts with the generator's name and then names what they cannot render. This finds that
 * in the spec text, most specific first:
 *
 * 1. something the spec lacks (`has no operation 'destroy'`, `has no shared variable
 *    'min_nr'`): the `spec` declaration, since there is nothing else to point at;
 * 2. a quoted spec name (`'spin_x_lock' is not a name herd7 reads`, `'a' and 'b' both
 *    become ...`): where it first appears in the code (comments and doc strings skipped),
 *    also in the form a generator prints it (`spin_x.lock` as `spin_x_lock`); of several,
 *    the one that appears last, the name that makes the clash; searched from the construct
 *    of step 3 on, then anywhere;
 * 3. a scenario, edge or operation the message names (`scenario handoff`, `edge x:`,
 *    `operation alloc`, `in alloc,`, `alloc's parameter`), or a litmus test by its name
 *    (`toC: mempool-handoff+wmb+rmb: ...`), which is named after its scenario or edge: the
 *    name in that declaration;
 * 4. otherwise the `spec` declaration.
 *
 * Returns a source offset into `src.text`, or undefined when the text has no `spec`
 * declaration to fall back on (it always has one when it resolved).
 */
export function unsupportedOffset(ir: SpecIR, src: SourceFile, message: string):
  number | undefined {
  const tokens = codeTokens(src.text);
  const specDecl = tokens.findIndex((t, i) => t.text === 'spec' && tokens[i + 1]?.text === ir.name);
  const fallback = specDecl >= 0 ? tokens[specDecl + 1].offset : undefined;
  if (/\bhas no (operation|shared variable)\b/.test(message)) return fallback;

  const scope = namedConstruct(ir, message);
  const scopeOffset = scope ? offsetOf(src.text, scope) : undefined;
  const quoted = [...message.matchAll(/'([^'\s]+)'/g)].map((m) => m[1]);
  let best: number | undefined;
  for (const name of quoted) {
    const at = firstUse(tokens, name, scopeOffset ?? 0) ?? firstUse(tokens, name, 0);
    if (at !== undefined && (best === undefined || at > best)) best = at;
  }
  return best ?? scopeOffset ?? fallback;
}

/** A run of code: a name (possibly dotted, as `pool.lock`) and its offset. */
interface Token {
  text: string;
  offset: number;
}

/** The names in the code of `text`, in order; `#` comments and doc strings skipped. */
function codeTokens(text: string): Token[] {
  const out: Token[] = [];
  const lexeme = /#[^\n]*|"(?:[^"\\\n]|\\.)*"?|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/g;
  for (const m of text.matchAll(lexeme)) {
    if (m[0][0] !== '#' && m[0][0] !== '"') out.push({ text: m[0], offset: m.index });
  }
  return out;
}

/** The offset of the first token at or after `from` that is `name`, or prints as it. */
function firstUse(tokens: Token[], name: string, from: number): number | undefined {
  const printed = (t: string): string => t.replace(/[^A-Za-z0-9_]/g, '_');
  return tokens.find((t) => t.offset >= from && (t.text === name || printed(t.text) === name))
    ?.offset;
}

/** The scenario, edge or operation `message` names, with its location in the IR. */
function namedConstruct(ir: SpecIR, message: string): Loc | undefined {
  const find = <T extends { name: string; loc: Loc }>(list: T[], re: RegExp): Loc | undefined => {
    for (const m of message.matchAll(re)) {
      const hit = list.find((x) => x.name === m[1]);
      if (hit) return hit.loc;
    }
    return undefined;
  };
  return find(ir.scenarios, /\bscenario (\w+)/g)
    ?? find(ir.edges, /\bedge (\w+)/g)
    ?? find(ir.ops, /\b(?:operation|in) (\w+)\b/g)
    ?? find(ir.ops, /^(?:[\w -]+: )?(\w+)(?:'s |: | (?:sleeps|returns|must|names) )/g)
    ?? litmusTest(ir, message);
}

/**
 * The scenario or edge a litmus test named in `message` comes from. Tests are named
 * `mempool-<scenario>` or `mempool-<edge>`, then `-no-<barrier>` for an ablation, `-2` for a
 * name taken, and `+<primitives>` (src/litmus/compile.ts); the longest match wins.
 */
function litmusTest(ir: SpecIR, message: string): Loc | undefined {
  const name = /^(?:litmus|toC|js-litmus): ([^\s:]+):/.exec(message)?.[1];
  if (name === undefined) return undefined;
  let best: { length: number; loc: Loc } | undefined;
  for (const c of [...ir.scenarios, ...ir.edges]) {
    const pattern = `mempool-${c.name.replace(/[^A-Za-z0-9.]+/g, '-')}`;
    const fits = name === pattern || name.startsWith(`${pattern}+`) ||
      name.startsWith(`${pattern}-`);
    if (fits && (best === undefined || pattern.length > best.length)) {
      best = { length: pattern.length, loc: c.loc };
    }
  }
  return best?.loc;
}

/** The offset of a 1-based line and column (UTF-16 units) in `text`. */
function offsetOf(text: string, loc: Loc): number {
  let offset = 0;
  for (let line = 1; line < loc.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) break;
    offset = next + 1;
  }
  return Math.min(offset + loc.col - 1, text.length);
}
