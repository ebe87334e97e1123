import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from '../paths.ts';

/**
 * The one Handlebars environment every generator renders with.
 *
 * Templates live in `generators/` at the package root. They are compiled with `noEscape`
 * (the output is TypeScript and C, not HTML), `strict` (a missing field is an error, never an
 * empty string) and `knownHelpersOnly` (an unknown helper fails at compile time). Helpers
 * that put spec text into code escape it for the place it lands in.
 */
const env = Handlebars.create();

/** Helpers available to templates; each escapes for one target context. */
const helpers = {
  /** A value as a JSON literal (also a valid TS literal for plain data). */
  json: (value: unknown) => JSON.stringify(value),
  /** A TS/JS single-line string literal, with every character that could end it escaped. */
  tsString: (value: unknown) => tsStringLiteral(String(value)),
  /** Text for a `//` or `/* *\/` comment: no line breaks, no comment terminators. */
  comment: (value: unknown) => commentText(String(value)),
  /** Equality, for `{{#if (eq a b)}}`. */
  eq: (a: unknown, b: unknown) => a === b,
} as const;

for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);

const knownHelpers = Object.fromEntries(Object.keys(helpers).map((name) => [name, true]));
const cache = new Map<string, HandlebarsTemplateDelegate>();

/**
 * Renders `generators/<name>` with `context`. Throws if the template uses a field the
 * context lacks.
 */
export function renderTemplate(name: string, context: object): string {
  let template = cache.get(name);
  if (!template) {
    const source = readFileSync(join(packageRoot, 'generators', name), 'utf8');
    template = env.compile(source, {
      noEscape: true,
      strict: true,
      knownHelpers,
      knownHelpersOnly: true,
    });
    cache.set(name, template);
  }
  return normalizeOutput(template(context));
}

/**
 * Makes rendered text deterministic and tidy: no trailing spaces, no runs of more than one
 * blank line, exactly one final newline.
 */
export function normalizeOutput(text: string): string {
  const lines = text.split('\n').map((line) => line.replace(/[ \t]+$/, ''));
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && out.length > 0 && out[out.length - 1] === '') continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n') + '\n';
}

/** A JS string literal for any text, safe in any position where an expression may stand. */
export function tsStringLiteral(text: string): string {
  // JSON.stringify leaves U+2028/U+2029 raw; escape them too so older parsers and comments
  // around the literal are never split.
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Text that can sit inside a `//` line comment or a block comment without ending it. */
export function commentText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/\*\//g, '* /')
    .replace(/\(\*/g, '( *')
    .replace(/\*\)/g, '* )');
}
