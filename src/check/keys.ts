import { Hash64 } from './hash.ts';
import {
  canonicalTimestamps, hashSharedMemory, hashThreadViews, memoryKeyParts, type DeadViews,
  type TimestampMap,
} from './memory.ts';
import type { Value } from './program.ts';
import { DONE, RUN, type State, type ThreadState } from './state.ts';

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
 * `stateKey` is the readable definition; the search uses `stateHash`, which walks the same
 * fields in the same canonical order and feeds them to a 64-bit hash without building a
 * string (the tests check that the two agree on which states are equal). The search stores
 * fingerprints, not keys, as TLC does (see `CoverSet` for the odds of a collision).
 */

/** What the key of a configuration's states needs to know. */
export interface KeyContext {
  /** Threads are interchangeable and element handles are anonymous. */
  symmetric: boolean;
  /** Per operation index, per local slot: whether it holds an element. */
  elemSlots: readonly (readonly boolean[])[];
  /**
   * Whether `State.woke` can decide anything: only a scenario's outcome (`woken(q)`) reads
   * it, so the parameter ranges leave it out and count states that differ only in it once.
   */
  wokeMatters: boolean;
  /**
   * Per operation index, per instruction: where the instruction is `lock L`, the variables
   * (memory layout indexes) guarded by L; else empty. A thread resting at `lock L` does
   * nothing before it takes L, and taking L sets its `cur` and `seen` of every variable L
   * guards to the newest message: every write of such a variable happens under L (anything
   * else is an access_discipline violation, which ends the search), and L's last unlock
   * released a view that includes it. So the entries they hold now decide nothing, and the
   * key leaves them out.
   */
  lockKills: readonly (readonly (readonly number[])[])[];
  /** `lockKills` as the masks the key applies to a thread's views (see `deadViewTable`). */
  dead: DeadTable;
  /**
   * What a thread's future holds, known from its place alone in the parameter ranges (the
   * rest of its operation, then up to `cpc` calls of its choosing), so that `memoryActive`
   * may leave out the views of threads that will never read shared memory again; null for a
   * scenario. See `Machine.futureOfCalls`.
   */
  future: Future | null;
  /**
   * Whether the search may let a state stand for one that differs only in having fewer calls
   * left per thread (parameter ranges, at most 7 threads and 15 calls: four bits each). A
   * thread with more calls left can make the same calls and stop, as it may whenever no
   * thread is inside an operation (see `someoneMidOp` in machine.ts), so every state reached
   * from the one with fewer calls has a counterpart, equal but for idle threads, reached from
   * the one with more. The key then leaves the calls out of the fingerprint and hands them
   * back to the search beside it (see `stateHash` and `CoverSet`).
   */
  subsumeCalls: boolean;
}

/** See `KeyContext.future`. */
export interface Future {
  /** Per operation index, per instruction: `CompiledOp.readsAhead`. */
  readsAhead: readonly (readonly boolean[])[];
  /** Per operation index, per instruction: `CompiledOp.emitsAhead`. */
  emitsAhead: readonly (readonly boolean[])[];
  /** Per operation index: whether it may hand the caller an element. */
  givesElement: readonly boolean[];
  /** Some call that passes no element reaches a read that may return an older message. */
  readsWithoutElement: boolean;
  /** Some call that passes an element does. */
  readsWithElement: boolean;
}

/**
 * Fills `out` with, per thread, how its views belong in the key: not at all (`NONE`), all
 * but `cur` (`EMITS`), or all (`READS`). Views only ever decide what a read returns, and only
 * a read that may return an older message than the newest (see `CompiledOp.readsAhead`). A
 * thread that has stopped never reads again; neither does one in its last operation past its
 * last such read (say, a free that has made its lockless test). Its views can still reach a
 * reader through a message it writes or a lock it releases, so they count while some other
 * thread may still read, and not after; its `cur` never leaves the thread (only reads use
 * it), so it counts only for a thread that will read. Once no thread will read again, only
 * the newest value of each variable matters (to the invariants, to destroy and to a thread
 * running alone), and every thread's views drop out; the messages go with them (see
 * `readableBase`).
 */
export function memoryActive(s: State, ctx: KeyContext, out: number[]): number[] {
  const n = s.threads.length;
  if (out.length !== n) out.length = n;
  let readers = 0;
  for (let t = 0; t < n; t++) {
    out[t] = memoryRole(s.threads[t], ctx);
    if (out[t] === READS) readers++;
  }
  if (readers === 0) out.fill(NONE);
  return out;
}

/** `memoryActive`: the thread's views are left out of the key. */
export const NONE = 0;
/** `memoryActive`: the thread passes views on but will not read; `cur` is left out. */
export const EMITS = 1;
/** `memoryActive`: the thread may read a message older than the newest. */
export const READS = 2;

function memoryRole(th: ThreadState, ctx: KeyContext): number {
  if (th.status === DONE) return NONE;
  const f = ctx.future;
  if (f === null || (th.op >= 0 && f.readsAhead[th.op][th.pc])) return READS;
  // The calls left: with one, it reads if a call it can make reads (one that passes an
  // element needs one in hand, or from the operation it is in); with two or more, it could
  // first get an element. Any call may write or unlock.
  if (th.cpc >= 1) {
    const mayHold = th.cpc >= 2 || th.regs.length > 0 || (th.op >= 0 && f.givesElement[th.op]);
    return f.readsWithoutElement || (mayHold && f.readsWithElement) ? READS : EMITS;
  }
  return th.op >= 0 && f.emitsAhead[th.op][th.pc] ? EMITS : NONE;
}

/** The canonical key of `s`. */
export function stateKey(s: State, ctx: KeyContext): string {
  const n = s.threads.length;
  const roles = memoryActive(s, ctx, []);
  const mem = memoryKeyParts(s.mem, roles.map((r) => r !== NONE),
    s.threads.map((th, t) => deadViews(th, roles[t], ctx)));
  const held = heldLocks(s);
  const calls = (th: ThreadState): string => (ctx.subsumeCalls ? '' : `${th.cpc},`);
  const rest = (th: ThreadState, t: number): string =>
    `${th.op},${th.pc},${th.status},${th.queue},${th.woken ? 1 : 0},${calls(th)}${held[t]}:` +
    mem.threads[t];
  const woke = ctx.wokeMatters ? s.woke : 0;
  const tail = `$${mem.shared}$${s.ghosts.join(',')}$${woke}$${s.destroyed ? 1 : 0}`;

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
    .sort((a, b) => (masked[a] < masked[b] ? -1 : masked[a] > masked[b] ? 1
      : s.threads[a].cpc - s.threads[b].cpc));
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
  const left = ctx.subsumeCalls ? `%${order.map((t) => s.threads[t].cpc).join(',')}` : '';
  return `${threads}${reserve}$${out.join(',')}+${unnamed}${tail}${left}`;
}

/**
 * The entries of `th`'s `cur` and `seen` that decide nothing (see `lockKills` and
 * `memoryActive`), for a thread whose role is `role`.
 */
function deadViews(th: ThreadState, role: number, ctx: KeyContext): DeadViews | undefined {
  const table = ctx.dead;
  const atLock = th.op >= 0 && th.status === RUN ? table.atLock[th.op][th.pc] : undefined;
  if (role === EMITS) return atLock?.emitter ?? table.emitter;
  return atLock?.reader;
}

/**
 * Per operation and instruction, the entries of `cur` and `seen` a thread's key leaves out:
 * at a `lock`, those of the variables it guards (`KeyContext.lockKills`); for a thread that
 * will not read (`EMITS`), its whole `cur` as well.
 */
export interface DeadTable {
  emitter: DeadViews;
  atLock: ({ reader: DeadViews; emitter: DeadViews } | undefined)[][];
}

/** `KeyContext.dead`, built once per configuration from `KeyContext.lockKills`. */
export function deadViewTable(lockKills: KeyContext['lockKills']): DeadTable {
  return {
    emitter: { cur: ALL, seen: 0 },
    atLock: lockKills.map((perPc) => perPc.map((kills) => {
      if (kills.length === 0) return undefined;
      const mask = kills.reduce((m, x) => (x < 31 ? m | (1 << x) : m), 0);
      return { reader: { cur: mask, seen: mask }, emitter: { cur: ALL, seen: mask } };
    })),
  };
}

/** Every variable (that a mask can mark). */
const ALL = 0x7fffffff;

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

// Scratch space of stateHash, reused from call to call (the checker is single-threaded).
const threadPart = new Hash64();
const partLo: number[] = [];
const partHi: number[] = [];
const order: number[] = [];
const roles: number[] = [];
const active: boolean[] = [];
const dead: (DeadViews | undefined)[] = [];
const timestamps: TimestampMap = { base: [], pos: [] };
const handleIds = new Int32Array(32);

const NULL = 0x40000001;
const TRUE = 0x40000002;
const FALSE = 0x40000003;
const HANDLE = 0x40000004;

function encode(v: Value): number {
  return v === null ? NULL : v === true ? TRUE : v === false ? FALSE : v;
}

/**
 * The fingerprint of `stateKey(s, ctx)`, computed without the string: `h` holds it
 * afterwards (`h.lo`, `h.hi`). States with equal keys get equal fingerprints. With
 * `ctx.subsumeCalls`, the calls left are not in the fingerprint: they are returned, four
 * bits per thread in the key's thread order (see `KeyContext.subsumeCalls`); else 0.
 */
export function stateHash(s: State, ctx: KeyContext, h: Hash64): number {
  const n = s.threads.length;
  const subsume = ctx.subsumeCalls;
  memoryActive(s, ctx, roles);
  for (let t = 0; t < n; t++) {
    active[t] = roles[t] !== NONE;
    dead[t] = deadViews(s.threads[t], roles[t], ctx);
  }
  if (active.length !== n) active.length = n;
  if (dead.length !== n) dead.length = n;
  canonicalTimestamps(s.mem, active, timestamps, dead);

  for (let t = 0; t < n; t++) {
    const th = s.threads[t];
    const p = threadPart.reset();
    p.add(th.op);
    p.add(th.pc);
    p.add(th.status);
    p.add(th.queue);
    p.add(th.woken ? 1 : 0);
    if (!subsume) p.add(th.cpc);
    let held = 0;
    const locks = s.mem.locks;
    for (let l = 0; l < locks.length; l++) if (locks[l].holder === t) held |= 1 << l;
    p.add(held);
    if (active[t]) hashThreadViews(s.mem, t, timestamps, p, dead[t]);
    else p.add(-1);
    const elem = th.op >= 0 ? ctx.elemSlots[th.op] : [];
    p.add(th.locals.length);
    for (let i = 0; i < th.locals.length; i++) {
      const v = th.locals[i];
      p.add(ctx.symmetric && elem[i] && typeof v === 'number' ? HANDLE : encode(v));
    }
    p.add(th.regs.length);
    if (!ctx.symmetric) for (const r of th.regs) p.add(encode(r));
    partLo[t] = p.lo;
    partHi[t] = p.hi;
    order[t] = t;
  }
  if (order.length !== n) order.length = n;
  if (ctx.symmetric) sortByPart(s, n);
  let calls = 0;
  if (subsume) for (let k = 0; k < n; k++) calls |= s.threads[order[k]].cpc << (4 * k);

  h.reset();
  handleIds.fill(0);
  renaming = ctx.symmetric;
  nextId = 1;
  h.add(s.reserve.length);
  for (const e of s.reserve) h.add(rename(e));
  for (let k = 0; k < n; k++) {
    const t = order[k];
    const th = s.threads[t];
    h.add(partLo[t]);
    h.add(partHi[t]);
    if (!ctx.symmetric) continue;
    const elem = th.op >= 0 ? ctx.elemSlots[th.op] : [];
    for (let i = 0; i < th.locals.length; i++) {
      if (elem[i] && typeof th.locals[i] === 'number') h.add(rename(th.locals[i]));
    }
    for (const r of th.regs) h.add(rename(r));
  }
  if (ctx.symmetric) {
    let named = 0;
    let unnamed = 0;
    for (let e = 1; e <= 30; e++) {
      if ((s.out & (1 << (e - 1))) === 0) continue;
      if (handleIds[e] === 0) unnamed++;
      else named |= 1 << (handleIds[e] - 1);
    }
    h.add(named);
    h.add(unnamed);
  } else {
    h.add(s.out);
  }
  hashSharedMemory(s.mem, timestamps, h);
  h.add(s.ghosts.length);
  for (const g of s.ghosts) h.add(g);
  h.add(ctx.wokeMatters ? s.woke : 0);
  h.add(s.destroyed ? 1 : 0);
  h.finish();
  return calls;
}

function sortsAfter(s: State, u: number, t: number): boolean {
  return partLo[u] > partLo[t] || (partLo[u] === partLo[t] && (partHi[u] > partHi[t] ||
    (partHi[u] === partHi[t] && s.threads[u].cpc > s.threads[t].cpc)));
}

let renaming = false;
let nextId = 1;

/** A handle's name in order of first appearance (symmetric keys), else the value itself. */
function rename(v: Value): number {
  if (!renaming || typeof v !== 'number' || v < 1 || v > 31) return encode(v);
  if (handleIds[v] === 0) handleIds[v] = nextId++;
  return handleIds[v];
}

/**
 * Sorts `order[0..n)` by the threads' part hashes, then by calls left (insertion sort: n is
 * 2 or 3).
 */
function sortByPart(s: State, n: number): void {
  for (let i = 1; i < n; i++) {
    const t = order[i];
    let j = i - 1;
    while (j >= 0 && sortsAfter(s, order[j], t)) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = t;
  }
}
