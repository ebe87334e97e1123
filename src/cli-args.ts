import { InvalidArgumentError } from 'commander';

/** A command-line whole number of 1 or more, read as `wholeNumber` reads (commander parser). */
export function atLeastOne(value: string): number {
  const read = wholeNumber(value, 1);
  if (!read.ok) throw new InvalidArgumentError(`${read.problem}; give a whole number of 1 or more`);
  return read.value;
}

/** A whole number read from the command line, or why the text is not one in range. */
export type WholeNumber = { ok: true; value: number } | { ok: false; problem: string };

/**
 * Reads `text` strictly as a whole number from `min` to `max`: decimal digits only (no sign,
 * exponent, fraction, hex or spaces, all of which `Number` accepts), and a safe integer.
 */
export function wholeNumber(text: string, min: number,
  max: number = Number.MAX_SAFE_INTEGER): WholeNumber {
  if (!/^\d+$/.test(text)) {
    return { ok: false, problem: 'not a whole number (digits only, e.g. 3)' };
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > max) {
    return { ok: false, problem: `too large: at most ${max}` };
  }
  if (value < min) return { ok: false, problem: `too small: at least ${min}` };
  return { ok: true, value };
}
