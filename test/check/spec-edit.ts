import { readFileSync } from 'node:fs';

/**
 * Specs for tests, made by editing the text of a spec file. Each edit says how many times its
 * text occurs (once unless it says otherwise) and replaces every occurrence, so a spec file
 * that changes under a test breaks the test loudly instead of quietly dropping an edit or
 * making one in a place it was not meant for.
 */

/** An edit: replace `from` by `to`, where `from` occurs `count` times (default 1). */
export type SpecEdit = readonly [from: string, to: string, count?: number];

/** `text` with the edits made one after another; throws if a `from` does not occur as said. */
export function editSpec(text: string, edits: readonly SpecEdit[]): string {
  let out = text;
  for (const [from, to, count = 1] of edits) {
    const found = out.split(from).length - 1;
    if (found !== count) {
      throw new Error(`editSpec: ${JSON.stringify(from)} occurs ${found} times, not ${count}`);
    }
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
export const knobEdits: readonly SpecEdit[] = [
  ['\n# ---- state ---', '\nparam knob in 0..1 "A switch that only the invariant deep reads."\n\n' +
    '# ---- state ---'],
  ['\n  params min_nr = ', '\n  params knob = 0, min_nr = ', 4],
  ['\n# ---- happens-before edges', '\ninvariant deep "Broken wherever knob is 1 with three ' +
    'threads."\n  : knob == 0 || threads < 3\n\n# ---- happens-before edges'],
];
