import type { SpecIR } from '../ir.ts';
import { RESERVE_WORD, type Layout } from './reference-layout.ts';

/**
 * How the generated pool reaches its shared memory: an `Access` spells each kind of access
 * as TS, with direct `Atomics` calls (the `Mempool` build) or through the `Memory`
 * interface (the `MempoolMem` build), and the private helpers every op body calls (the
 * lock, the wake of a wait queue, the reserve's add/remove) are written once over it.
 */

/** How generated code reaches the pool's words; each method returns a TS expression. */
export interface Access {
  load(word: string): string;
  store(word: string, value: string): string;
  /** A plain read. */
  get(word: string): string;
  /** A plain write. */
  set(word: string, value: string): string;
  compareExchange(word: string, expected: string, replacement: string): string;
  add(word: string, delta: string): string;
  sub(word: string, delta: string): string;
  wait(word: string, expected: string, timeoutMs: string): string;
  notify(word: string, count: string): string;
}

/** Direct `Atomics` calls on the pool's `Int32Array` (`this.words`). */
export const directAccess: Access = {
  load: (w) => `Atomics.load(this.words, ${w})`,
  store: (w, v) => `Atomics.store(this.words, ${w}, ${v})`,
  get: (w) => `this.words[${w}]`,
  set: (w, v) => `this.words[${w}] = ${v}`,
  compareExchange: (w, e, r) => `Atomics.compareExchange(this.words, ${w}, ${e}, ${r})`,
  add: (w, d) => `Atomics.add(this.words, ${w}, ${d})`,
  sub: (w, d) => `Atomics.sub(this.words, ${w}, ${d})`,
  wait: (w, v, t) => `Atomics.wait(this.words, ${w}, ${v}, ${t})`,
  notify: (w, c) => `Atomics.notify(this.words, ${w}, ${c})`,
};

/** Every access through the `Memory` interface (`this.memory`), so a scheduler can interpose. */
export const memoryAccess: Access = {
  load: (w) => `this.memory.load(${w})`,
  store: (w, v) => `this.memory.store(${w}, ${v})`,
  get: (w) => `this.memory.get(${w})`,
  set: (w, v) => `this.memory.set(${w}, ${v})`,
  compareExchange: (w, e, r) => `this.memory.compareExchange(${w}, ${e}, ${r})`,
  add: (w, d) => `this.memory.add(${w}, ${d})`,
  sub: (w, d) => `this.memory.sub(${w}, ${d})`,
  wait: (w, v, t) => `this.memory.wait(${w}, ${v}, ${t})`,
  notify: (w, c) => `this.memory.notify(${w}, ${c})`,
};

/** What the emitters need: the spec, the layout of its pool, and how to reach memory. */
export interface EmitContext {
  ir: SpecIR;
  layout: Layout;
  access: Access;
}

/**
 * The private helpers the op bodies call: the futex-style lock, the wake of a wait queue
 * and the reserve's add/remove.
 */
export function emitHelpers(ctx: EmitContext): string[] {
  const a = ctx.access;
  const count = ctx.layout.varWord.get(ctx.ir.state.reserve.count);
  if (count === undefined) {
    throw new Error(`reference: the reserve's count ${ctx.ir.state.reserve.count} is no variable`);
  }
  const countAtomic = ctx.layout.atomicVars.has(ctx.ir.state.reserve.count);
  const loadCount = countAtomic ? a.load(count) : a.get(count);
  const storeCount = (v: string): string => (countAtomic ? a.store(count, v) : a.set(count, v));
  return [
    '  /**',
    '   * spin_lock: 0 -> 1 when free; otherwise mark the word contended (2) and sleep on it',
    '   * until an unlock that saw it contended wakes one sleeper.',
    '   */',
    '  private lock(word: number): void {',
    `    let state = ${a.compareExchange('word', '0', '1')};`,
    '    if (state === 0) return;',
    '    do {',
    `      if (state === 2 || ${a.compareExchange('word', '1', '2')} !== 0) {`,
    `        ${a.wait('word', '2', 'Infinity')};`,
    '      }',
    '      // Taken as contended: another sleeper may still be queued behind this thread.',
    `      state = ${a.compareExchange('word', '0', '2')};`,
    '    } while (state !== 0);',
    '  }',
    '',
    '  /** spin_unlock: 1 -> 0; a contended lock is cleared and hands over to one sleeper. */',
    '  private unlock(word: number): void {',
    `    if (${a.sub('word', '1')} !== 1) {`,
    `      ${a.store('word', '0')};`,
    `      ${a.notify('word', '1')};`,
    '    }',
    '  }',
    '',
    '  /**',
    '   * wake_up: bump the sequence word, then notify if anyone counts as waiting. A sleeper',
    '   * counts itself before it waits and a waker bumps before it reads the count; Atomics are',
    '   * sequentially consistent, so either the sleeper\'s wait sees the bump and returns at',
    '   * once, or the waker sees the count and notifies. Skipping the notify at 0 loses no wake.',
    '   */',
    '  private wake(seqWord: number, waitersWord: number): void {',
    `    ${a.add('seqWord', '1')};`,
    `    if (${a.load('waitersWord')} !== 0) {`,
    `      ${a.notify('seqWord', 'Infinity')};`,
    '    }',
    '  }',
    '',
    '  /** add_element: the element goes on top of the reserve; the caller holds the lock. */',
    '  private addElement(element: number): void {',
    `    const count = ${loadCount};`,
    '    if (count >= this.slots) throw new Error(\'mempool: add_element past the last slot\');',
    `    ${a.set(`${RESERVE_WORD} + count`, 'element')};`,
    `    ${storeCount('count + 1')};`,
    '  }',
    '',
    '  /** remove_element: the top element of the reserve; the caller holds the lock. */',
    '  private removeElement(): number {',
    `    const count = ${loadCount} - 1;`,
    '    if (count < 0) throw new Error(\'mempool: remove_element on an empty reserve\');',
    `    ${storeCount('count')};`,
    `    return ${a.get(`${RESERVE_WORD} + count`)};`,
    '  }',
  ];
}
