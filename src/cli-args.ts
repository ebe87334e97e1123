import { InvalidArgumentError } from 'commander';

/** A command-line integer of 1 or more (commander argument parser). */
export function atLeastOne(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('not an integer of 1 or more');
  }
  return n;
}
