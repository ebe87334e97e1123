import { readFileSync } from 'node:fs';

/**
 * Specs for tests, made by editing the text of a spec file. Each edit replaces every
 * occurrence of a piece of text that must be there, so a spec file that changes under a test
 * breaks the test loudly instead of quietly dropping the edit.
 */

/** `text` with every `from` replaced by `to`, edit by edit; throws if a `from` is missing. */
export function editSpec(text: string, edits: readonly (readonly [string, string])[]): string {
  let out = text;
  for (const [from, to] of edits) {
    if (!out.includes(from)) throw new Error(`editSpec: no ${JSON.stringify(from)} in the spec`);
    out = out.split(from).join(to);
  }
  return out;
}

/** The text of spec/variants/mempool-fixed.mps, which passes every property. */
export const fixedText = readFileSync('spec/variants/mempool-fixed.mps', 'utf8');

/**
 * Edits of the fixed variant that add `param knob in 0..1` (declared after `capacity`, so it
 * varies fastest in configuration order), `knob = 0` in every scenario, and an invariant
 * `deep` that names parameters only and is broken wherever knob is 1 with three threads.
 */
export const knobEdits: readonly (readonly [string, string])[] = [
  ['\n# ---- state ---', '\nparam knob in 0..1 "A switch that only the invariant deep reads."\n\n' +
    '# ---- state ---'],
  ['\n  params min_nr = ', '\n  params knob = 0, min_nr = '],
  ['\n# ---- happens-before edges', '\ninvariant deep "Broken wherever knob is 1 with three ' +
    'threads."\n  : knob == 0 || threads < 3\n\n# ---- happens-before edges'],
];
