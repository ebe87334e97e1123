import { memoryKeyParts } from './memory.ts';
import type { Value } from './program.ts';
import { DONE, type State, type ThreadState } from './state.ts';

/**
 * Canonical state keys and their fingerprints.
 *
 * The key serializes everything that decides a state's futures, and quotients by two
 * symmetries of the parameter-range exploration:
 *
 * - threads: all run the same nondeterministic client, so threads are sorted by their own
 *   part of the key (place, locals, elements held, views, locks held);
 * - element handles: the pool only moves them around and compares them, so handles are
 *   renamed in order of first appearance (reserve bottom first, then the threads in sorted
 *   order). Scenarios name handles in their programs, so they keep theirs.
 *
 * The search stores 53-bit fingerprints of keys, not the keys, as TLC does: memory stays
 * small, at the price of a tiny chance that two states share a fingerprint and the second is
 * never expanded. For n states that chance is about n² / 2^54: under one in ten thousand at
 * two million states.
 */

/** What the key of a configuration's states needs to know. */
export interface KeyContext {
  /** Threads are interchangeable and element handles are anonymous. */
  symmetric: boolean;
  /** Per operation index, per local slot: whether it holds an element. */
  elemSlots: readonly (readonly boolean[])[];
}

/** The canonical key of `s`. */
export function stateKey(s: State, ctx: KeyContext): string {
  const n = s.threads.length;
  const active = s.threads.map((th) => th.status !== DONE);
  const mem = memoryKeyParts(s.mem, active);
  const held = heldLocks(s);
  const rest = (th: ThreadState, t: number): string =>
    `${th.op},${th.pc},${th.status},${th.queue},${th.woken ? 1 : 0},${th.cpc},${held[t]}:` +
    mem.threads[t];
  const tail = `$${mem.shared}$${s.ghosts.join(',')}$${s.woke}$${s.destroyed ? 1 : 0}`;

  if (!ctx.symmetric) {
    let key = '';
    for (let t = 0; t < n; t++) {
      const th = s.threads[t];
      key += `${rest(th, t)}[${values(th.locals)}][${values(th.regs)}]#`;
    }
    return `${key}${s.reserve.join(',')}$${s.out}${tail}`;
  }

  // Sort threads with handles masked, then rename handles in that order.
  const masked: string[] = [];
  for (let t = 0; t < n; t++) {
    const th = s.threads[t];
    masked.push(`${rest(th, t)}[${maskedLocals(th, ctx)}][${th.regs.length}]`);
  }
  const order = Array.from({ length: n }, (_, t) => t)
    .sort((a, b) => (masked[a] < masked[b] ? -1 : masked[a] > masked[b] ? 1 : 0));
  const ids = new Map<number, number>();
  const rename = (h: Value): string => {
    if (typeof h !== 'number') return values([h]);
    let id = ids.get(h);
    if (id === undefined) ids.set(h, (id = ids.size + 1));
    return `${id},`;
  };
  let reserve = '';
  for (const h of s.reserve) reserve += rename(h);
  let threads = '';
  for (const t of order) {
    const th = s.threads[t];
    const elem = th.op >= 0 ? ctx.elemSlots[th.op] : [];
    let locals = '';
    for (let i = 0; i < th.locals.length; i++) {
      locals += elem[i] ? rename(th.locals[i]) : values([th.locals[i]]);
    }
    let regs = '';
    for (const h of th.regs) regs += rename(h);
    threads += `${masked[t]}[${locals}][${regs}]#`;
  }
  const out: number[] = [];
  let unnamed = 0;
  for (let h = 1; h <= 30; h++) {
    if ((s.out & (1 << (h - 1))) === 0) continue;
    const id = ids.get(h);
    if (id === undefined) unnamed++;
    else out.push(id);
  }
  out.sort((a, b) => a - b);
  return `${threads}${reserve}$${out.join(',')}+${unnamed}${tail}`;
}

function maskedLocals(th: ThreadState, ctx: KeyContext): string {
  const elem = th.op >= 0 ? ctx.elemSlots[th.op] : [];
  let out = '';
  for (let i = 0; i < th.locals.length; i++) {
    const v = th.locals[i];
    out += elem[i] && typeof v === 'number' ? 'h,' : values([v]);
  }
  return out;
}

function heldLocks(s: State): string[] {
  const held = s.threads.map(() => '');
  s.mem.locks.forEach((l, i) => {
    if (l.holder !== null) held[l.holder] += i;
  });
  return held;
}

function values(vs: readonly Value[]): string {
  let out = '';
  for (const v of vs) out += v === null ? 'n,' : v === true ? 't,' : v === false ? 'f,' : `${v},`;
  return out;
}

/** A 53-bit fingerprint of a string: two independent 32-bit hashes, combined. */
export function fingerprint(key: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
