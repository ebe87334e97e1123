import {
  createMemory, fence, lock, lockHolder, read, readChoices, unlock, write,
  type Fence, type MemoryState, type Message, type ReadMode, type View, type WriteMode,
} from '../memory/views.ts';
import type { Hash64 } from './hash.ts';

/**
 * The checker's window on the memory model (`src/memory/views.ts`). Everything the explorer
 * asks of memory goes through here, so the explorer does not depend on how the model stores
 * its views, and one switch (`sc`) turns every access into a JavaScript `Atomics` access to
 * show what a property needs weak memory for.
 */

/** A memory state of the checker. */
export type Memory = MemoryState;

/** How the checker maps the spec's accesses onto the memory model. */
export interface MemoryMode {
  /** Every access sequentially consistent: what the spec means on an SC machine. */
  sc: boolean;
}

/** One value a read may return, and where it sits in its variable's coherence order. */
export interface Readable {
  timestamp: number;
  value: number;
}

/** A fresh memory: each variable holds one message with its value; every lock is free. */
export function newMemory(vars: { name: string; init: number }[], locks: string[],
  threads: number): Memory {
  return createMemory({ vars, locks, threads });
}

/** The messages a read may return, oldest first. */
export function readable(m: Memory, thread: number, variable: string, mode: ReadMode,
  how: MemoryMode): Readable[] {
  return readChoices(m, thread, variable, how.sc ? 'sc' : mode);
}

/**
 * The read itself, of the message at `timestamp`. A plain read of the message the thread's
 * `cur` already points at, carrying nothing the thread has not seen, changes no view (the
 * model would return an equal state); the explorer makes that read millions of times under
 * the lock, so it is answered here without a copy.
 */
export function doRead(m: Memory, thread: number, variable: string, timestamp: number,
  mode: ReadMode, how: MemoryMode): Memory {
  if (!how.sc && mode === 'once') {
    const x = varIndex(m, variable);
    const views = m.threads[thread];
    const message = m.messages[x][timestamp];
    if (views.cur[x] === timestamp && message !== undefined && within(message.view, views.seen)) {
      return m;
    }
  }
  return read(m, thread, variable, timestamp, how.sc ? 'sc' : mode);
}

/** Whether `a` is nowhere above `b`. */
function within(a: View, b: View): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] > b[i]) return false;
  return true;
}

/** Reads the latest message: what a locked read-modify-write (`remove_element`) sees. */
export function readLatest(m: Memory, thread: number, variable: string,
  how: MemoryMode): { memory: Memory; value: number; timestamp: number } {
  const x = varIndex(m, variable);
  const timestamp = m.messages[x].length - 1;
  return {
    memory: doRead(m, thread, variable, timestamp, 'once', how),
    value: m.messages[x][timestamp].value,
    timestamp,
  };
}

/** A write; returns the memory and the new message's timestamp. */
export function doWrite(m: Memory, thread: number, variable: string, value: number,
  mode: WriteMode, how: MemoryMode): { memory: Memory; timestamp: number } {
  const memory = write(m, thread, variable, value, how.sc ? 'sc' : mode);
  return { memory, timestamp: memory.messages[varIndex(m, variable)].length - 1 };
}

/** A barrier. */
export function doFence(m: Memory, thread: number, kind: Fence): Memory {
  return fence(m, thread, kind);
}

/** Whether a barrier only changes the executing thread's own views (`wmb`, `rmb`). */
export function fenceIsLocal(kind: Fence): boolean {
  return kind !== 'mb';
}

/** The thread holding `name`, or null. */
export function holder(m: Memory, name: string): number | null {
  return lockHolder(m, name);
}

/** `spin_lock`: the lock must be free. */
export function acquire(m: Memory, thread: number, name: string): Memory {
  return lock(m, thread, name);
}

/** `spin_unlock`. */
export function release(m: Memory, thread: number, name: string): Memory {
  return unlock(m, thread, name);
}

/**
 * A wait-queue action: the kernel's wait-queue functions take the queue's own spin lock, so
 * each one is a critical section of that lock (`queueLock`).
 */
export function queueSync(m: Memory, thread: number, queueLock: string): Memory {
  return unlock(lock(m, thread, queueLock), thread, queueLock);
}

/** The latest value of every variable, in layout order. */
export function latestValue(m: Memory, x: number): number {
  const list = m.messages[x];
  return list[list.length - 1].value;
}

/** The latest timestamp of a variable. */
export function latestTimestamp(m: Memory, x: number): number {
  return m.messages[x].length - 1;
}

/** The index of a variable in the layout. */
export function varIndex(m: Memory, variable: string): number {
  const x = m.layout.vars.findIndex((v) => v.name === variable);
  if (x < 0) throw new Error(`no shared variable named ${variable}`);
  return x;
}

/**
 * How the state keys number a state's messages: per variable, the oldest timestamp any
 * active thread may still read (`base`), and for each timestamp from there on its
 * *canonical position* (`pos[x][ts - base[x]]`). Older entries of any view map to position 0.
 *
 * Two reductions make states that allow the same futures share a key:
 *
 * - Messages no active thread can read any more are dropped: every active thread's `cur` is
 *   at least `base`, views only grow, and an older entry in any view only ever meets `cur`
 *   (or `seen`, which is never below it) in a join, so it acts as `base` does.
 * - Neighbouring messages of one variable with the same value that carry the same view of
 *   every other variable share a position. Whichever of the two a read returns, the reader
 *   gets the same value and learns the same about the other variables; mapping every view
 *   entry through the positions is monotone, so joins, raises and the comparisons of a read
 *   with `cur` give corresponding results, and the two states are bisimilar. A resize that
 *   writes `min_nr` its old value is such a message: without this, each one would make a new
 *   state for every thread that has not read it yet.
 */
export interface TimestampMap {
  base: number[];
  pos: number[][];
}

/**
 * Entries of a thread's `cur` and `seen` that decide nothing about its future, as bit masks
 * (bit x for variable x; variables from 31 on are never marked): they keep no message alive
 * and are left out of the key.
 */
export interface DeadViews {
  cur: number;
  seen: number;
}

/** Whether `mask` marks variable `x`. */
function marked(mask: number | undefined, x: number): boolean {
  return mask !== undefined && x < 31 && (mask & (1 << x)) !== 0;
}

/** Fills `out` with the canonical positions of `m`'s messages (see `TimestampMap`). */
export function canonicalTimestamps(m: Memory, active: readonly boolean[],
  out: TimestampMap, dead?: readonly (DeadViews | undefined)[]): TimestampMap {
  const base = readableBase(m, active, out.base, dead);
  const nVars = base.length;
  if (out.pos.length !== nVars) out.pos.length = nVars;
  for (let x = 0; x < nVars; x++) {
    const list = m.messages[x];
    const pos = (out.pos[x] ??= []);
    if (pos.length !== list.length - base[x]) pos.length = list.length - base[x];
    let p = 0;
    pos[0] = 0;
    for (let ts = base[x] + 1; ts < list.length; ts++) {
      if (!sameMessage(list[ts - 1], list[ts], x, base)) p++;
      pos[ts - base[x]] = p;
    }
  }
  return out;
}

/**
 * Same value, and the same view of every variable but `x` once rebased on `base`. (Judging
 * the other variables by their positions instead, until nothing changes, merges no more
 * states of the mempool specs, so the simpler test is kept.)
 */
function sameMessage(a: Message, b: Message, x: number, base: readonly number[]): boolean {
  if (a.value !== b.value) return false;
  for (let y = 0; y < base.length; y++) {
    if (y === x) continue;
    const da = a.view[y] - base[y];
    const db = b.view[y] - base[y];
    if ((da > 0 ? da : 0) !== (db > 0 ? db : 0)) return false;
  }
  return true;
}

/** A view entry's canonical position. */
function position(map: TimestampMap, x: number, ts: number): number {
  const d = ts - map.base[x];
  return d > 0 ? map.pos[x][d] : 0;
}

/**
 * A canonical serialization split into the part that belongs to no thread and one part per
 * thread, so that a caller can permute threads (symmetry) before joining them. Threads for
 * which `active` is false will never access memory again; their views are left out. Messages
 * and views are numbered by `canonicalTimestamps`.
 */
export function memoryKeyParts(m: Memory, active: readonly boolean[],
  dead: readonly (DeadViews | undefined)[] = []): { shared: string; threads: string[] } {
  const map = canonicalTimestamps(m, active, { base: [], pos: [] }, dead);
  const nVars = map.base.length;
  let shared = '';
  for (let x = 0; x < nVars; x++) {
    const list = m.messages[x];
    const pos = map.pos[x];
    for (let ts = map.base[x]; ts < list.length; ts++) {
      if (ts > map.base[x] && pos[ts - map.base[x]] === pos[ts - map.base[x] - 1]) continue;
      shared += `${list[ts].value}@${viewKey(list[ts].view, map)};`;
    }
    shared += '|';
  }
  for (const l of m.locks) shared += `${viewKey(l.released, map)}/${viewKey(l.ownWrites, map)}|`;
  shared += viewKey(m.global, map);
  const threads = m.threads.map((t, i) => (active[i]
    ? `${viewKey(t.cur, map, dead[i]?.cur)}/${viewKey(t.seen, map, dead[i]?.seen)}/` +
      `${viewKey(t.carry, map)}/${viewKey(t.own, map)}`
    : '-'));
  return { shared, threads };
}

function viewKey(view: View, map: TimestampMap, dead?: number): string {
  let s = '';
  for (let x = 0; x < map.base.length; x++) {
    s += marked(dead, x) ? '*,' : `${position(map, x, view[x])},`;
  }
  return s;
}

/**
 * Per variable, the oldest timestamp an active thread may still read (see `TimestampMap`),
 * written into `out`. Entries `dead[t].cur` of thread `t`'s `cur` keep no message alive.
 */
export function readableBase(m: Memory, active: readonly boolean[], out: number[],
  dead?: readonly (DeadViews | undefined)[]): number[] {
  const nVars = m.layout.vars.length;
  if (out.length !== nVars) out.length = nVars;
  for (let x = 0; x < nVars; x++) {
    let min = m.messages[x].length - 1;
    for (let t = 0; t < m.threads.length; t++) {
      if (active[t] && m.threads[t].cur[x] < min && !marked(dead?.[t]?.cur, x)) {
        min = m.threads[t].cur[x];
      }
    }
    out[x] = min;
  }
  return out;
}

/** Feeds `h` what `memoryKeyParts` puts in its `shared` part, numbered by `map`. */
export function hashSharedMemory(m: Memory, map: TimestampMap, h: Hash64): void {
  const nVars = map.base.length;
  for (let x = 0; x < nVars; x++) {
    const list = m.messages[x];
    const pos = map.pos[x];
    const base = map.base[x];
    h.add(pos[list.length - 1 - base] + 1);
    for (let ts = base; ts < list.length; ts++) {
      if (ts > base && pos[ts - base] === pos[ts - base - 1]) continue;
      h.add(list[ts].value);
      hashView(list[ts].view, map, h);
    }
  }
  for (const l of m.locks) {
    hashView(l.released, map, h);
    hashView(l.ownWrites, map, h);
  }
  hashView(m.global, map, h);
}

/** Feeds `h` thread `t`'s four views, numbered by `map`, without the `dead` entries. */
export function hashThreadViews(m: Memory, t: number, map: TimestampMap, h: Hash64,
  dead?: DeadViews): void {
  const v = m.threads[t];
  hashView(v.cur, map, h, dead?.cur);
  hashView(v.seen, map, h, dead?.seen);
  hashView(v.carry, map, h);
  hashView(v.own, map, h);
}

/** A dead entry's mark in a hashed view (positions are never negative). */
const DEAD = -1;

function hashView(view: View, map: TimestampMap, h: Hash64, dead?: number): void {
  for (let x = 0; x < map.base.length; x++) {
    h.add(marked(dead, x) ? DEAD : position(map, x, view[x]));
  }
}
