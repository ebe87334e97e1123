/**
 * An operational memory model in the style of "views", small enough to explore exhaustively
 * and strong enough to tell a missing barrier from a present one.
 *
 * Every write is a *message*: a value, its variable's timestamp (its index in the variable's
 * coherence order, `co`) and the *view* it carries. A view maps each variable to a timestamp.
 * Each thread keeps four views:
 *
 * - `cur`: per variable, the oldest message a read may still return. A read or write raises
 *   it for its own variable (coherence); barriers raise it for others.
 * - `seen`: everything the thread has observed: its own writes, the messages it has read and
 *   the views those messages carried.
 * - `carry`: what the thread's next plain write carries besides itself.
 * - `own`: what the thread's own writes carried, for `smp_wmb`.
 *
 * The barriers and the accesses that order (the kernel memory model's names):
 *
 * - `smp_wmb`: later writes carry the thread's own earlier writes (`carry += own`), not what
 *   it has read. The kernel's `smp_wmb` is not cumulative, and neither is this one.
 * - `smp_rmb`: later reads adopt the views carried by every message read so far
 *   (`cur = seen`).
 * - release (`smp_store_release`, `spin_unlock`): the message carries `seen`, everything the
 *   thread has observed.
 * - acquire (`smp_load_acquire`, `spin_lock`): the thread adopts the view the message
 *   carries into `cur`.
 * - `smp_mb`: both of the above, cumulatively, and through one global view shared by all
 *   threads: `cur = seen = carry = global = seen ⊔ global`. Of two `smp_mb`s, the later one
 *   sees everything the earlier one published, so store buffering with `smp_mb` on both
 *   sides is forbidden.
 * - `sc` (a JavaScript `Atomics` access): an `smp_mb`, the access, and another `smp_mb`.
 * - A spin lock is a location holding the view of its last unlock. `spin_lock` waits until
 *   the lock is free, then adopts that view (acquire); its later writes also carry the
 *   unlocker's own writes, as the kernel's po-unlock-lock-po orders them. `spin_unlock`
 *   stores the thread's `seen` (release).
 *
 * Known limits, stated flatly:
 *
 * 1. A read only returns a write that has already executed, so load-buffering (LB) outcomes,
 *    which the kernel memory model allows, never appear.
 * 2. A write takes its place in coherence order when it executes, after every write to the
 *    same variable that executed before it, so outcomes that need coherence order to run
 *    against program order (2+2W, S without barriers) never appear either.
 * 3. A `spin_unlock` of one lock followed by a `spin_lock` of another gives no ordering here,
 *    where the kernel's po-unlock-lock-po may give some.
 *
 * Limits 1 and 2 only remove outcomes: `src/memory/limits.ts` finds the programs whose
 * verdict they can change, and for those only a `Sometimes` is trustworthy; judge such a test
 * with herd7 and the kernel memory model instead. Limit 3 can only add outcomes, so a
 * `Never` stands; a test that relies on ordering across two locks should be checked with
 * herd7 or written with one lock.
 *
 * The state is immutable: every operation returns a new state and shares what did not
 * change. `memoryKey` is a canonical serialization, usable as a hash key by explorers.
 */

/** Per variable (by its index in the layout), a timestamp. */
export type View = readonly number[];

/** One write: its value and the view it carries (which includes the write itself). */
export interface Message {
  readonly value: number;
  readonly view: View;
}

/** What one thread knows; see the module comment for each view's meaning. */
export interface ThreadViews {
  readonly cur: View;
  readonly seen: View;
  readonly carry: View;
  readonly own: View;
}

/** A spin lock: who holds it, and what its last unlock released. */
export interface LockState {
  /** The holding thread, or `null` when the lock is free. */
  readonly holder: number | null;
  /** The unlocker's `seen`: what a later `spin_lock` adopts. */
  readonly released: View;
  /** The unlocker's `own`: what writes after a later `spin_lock` carry. */
  readonly ownWrites: View;
}

/** The names a memory state is laid out by. */
export interface MemoryLayout {
  readonly vars: readonly { readonly name: string; readonly init: number }[];
  readonly locks: readonly string[];
  readonly threads: number;
}

/** The whole memory: messages per variable, thread views, locks and the global view. */
export interface MemoryState {
  readonly layout: MemoryLayout;
  /** Per variable, its messages in coherence order; index 0 is the initial value. */
  readonly messages: readonly (readonly Message[])[];
  readonly threads: readonly ThreadViews[];
  readonly locks: readonly LockState[];
  /** What every `smp_mb` has published so far. */
  readonly global: View;
}

/** One message a read may return. */
export interface ReadChoice {
  readonly timestamp: number;
  readonly value: number;
}

/** How a read is performed. */
export type ReadMode = 'once' | 'acquire' | 'sc';

/** How a write is performed. */
export type WriteMode = 'once' | 'release' | 'sc';

/** The kernel's three memory barriers. */
export type Fence = 'wmb' | 'rmb' | 'mb';

/** The initial memory: one message per variable with its initial value, every lock free. */
export function createMemory(layout: MemoryLayout): MemoryState {
  const zero: View = layout.vars.map(() => 0);
  const thread: ThreadViews = { cur: zero, seen: zero, carry: zero, own: zero };
  return {
    layout,
    messages: layout.vars.map((v) => [{ value: v.init, view: zero }]),
    threads: Array.from({ length: layout.threads }, () => thread),
    locks: layout.locks.map(() => ({ holder: null, released: zero, ownWrites: zero })),
    global: zero,
  };
}

/** The messages a read of `variable` by `thread` may return, oldest first. */
export function readChoices(
  state: MemoryState,
  thread: number,
  variable: string,
  mode: ReadMode,
): ReadChoice[] {
  const before = mode === 'sc' ? fence(state, thread, 'mb') : state;
  const x = varIndex(state, variable);
  const messages = before.messages[x];
  const choices: ReadChoice[] = [];
  for (let ts = threadOf(before, thread).cur[x]; ts < messages.length; ts++) {
    choices.push({ timestamp: ts, value: messages[ts].value });
  }
  return choices;
}

/**
 * `thread` reads the message of `variable` at `timestamp`, which must be one of
 * `readChoices` for the same state and mode.
 */
export function read(
  state: MemoryState,
  thread: number,
  variable: string,
  timestamp: number,
  mode: ReadMode,
): MemoryState {
  if (mode === 'sc') {
    return betweenMbs(state, thread, (s) => read(s, thread, variable, timestamp, 'once'));
  }
  const x = varIndex(state, variable);
  const views = threadOf(state, thread);
  const message = state.messages[x][timestamp];
  if (message === undefined || timestamp < views.cur[x]) {
    throw new Error(`P${thread} cannot read ${variable} at timestamp ${timestamp}`);
  }
  let cur = raise(views.cur, x, timestamp);
  if (mode === 'acquire') cur = join(cur, message.view);
  const seen = join(views.seen, message.view);
  return withThread(state, thread, { ...views, cur, seen });
}

/** `thread` writes `value` to `variable`: a new message at the end of its coherence order. */
export function write(
  state: MemoryState,
  thread: number,
  variable: string,
  value: number,
  mode: WriteMode,
): MemoryState {
  if (mode === 'sc') {
    return betweenMbs(state, thread, (s) => write(s, thread, variable, value, 'once'));
  }
  const x = varIndex(state, variable);
  const views = threadOf(state, thread);
  const timestamp = state.messages[x].length;
  const view = raise(mode === 'release' ? views.seen : views.carry, x, timestamp);
  const messages = state.messages.slice();
  messages[x] = [...state.messages[x], { value, view }];
  const next: ThreadViews = {
    cur: raise(views.cur, x, timestamp),
    seen: join(views.seen, view),
    carry: views.carry,
    own: join(views.own, view),
  };
  return withThread({ ...state, messages }, thread, next);
}

/** `thread` executes `smp_wmb()`, `smp_rmb()` or `smp_mb()`. */
export function fence(state: MemoryState, thread: number, kind: Fence): MemoryState {
  const views = threadOf(state, thread);
  switch (kind) {
    case 'wmb':
      return withThread(state, thread, { ...views, carry: join(views.carry, views.own) });
    case 'rmb':
      return withThread(state, thread, { ...views, cur: views.seen });
    case 'mb': {
      const all = join(views.seen, state.global);
      const next: ThreadViews = { cur: all, seen: all, carry: all, own: views.own };
      return withThread({ ...state, global: all }, thread, next);
    }
  }
}

/** Whether `spin_lock(lock)` can proceed now (the lock is free). */
export function canLock(state: MemoryState, lock: string): boolean {
  return state.locks[lockIndex(state, lock)].holder === null;
}

/** `thread` takes `lock`, which must be free (see `canLock`), and adopts its last unlock. */
export function lock(state: MemoryState, thread: number, lock: string): MemoryState {
  const l = lockIndex(state, lock);
  const held = state.locks[l];
  if (held.holder !== null) {
    throw new Error(`P${thread} cannot take ${lock}: P${held.holder} holds it`);
  }
  const views = threadOf(state, thread);
  const next: ThreadViews = {
    cur: join(views.cur, held.released),
    seen: join(views.seen, held.released),
    carry: join(views.carry, held.ownWrites),
    own: views.own,
  };
  const locks = state.locks.slice();
  locks[l] = { ...held, holder: thread };
  return withThread({ ...state, locks }, thread, next);
}

/** `thread` releases `lock`, which it must hold. */
export function unlock(state: MemoryState, thread: number, lock: string): MemoryState {
  const l = lockIndex(state, lock);
  if (state.locks[l].holder !== thread) {
    throw new Error(`P${thread} unlocks ${lock}, which it does not hold`);
  }
  const views = threadOf(state, thread);
  const locks = state.locks.slice();
  locks[l] = { holder: null, released: views.seen, ownWrites: views.own };
  return { ...state, locks };
}

/** The thread holding `lock`, or `null`. */
export function lockHolder(state: MemoryState, lock: string): number | null {
  return state.locks[lockIndex(state, lock)].holder;
}

/** Each variable's final value: the value of the last message in its coherence order. */
export function finalValues(state: MemoryState): Record<string, number> {
  const values: Record<string, number> = {};
  state.layout.vars.forEach((v, x) => {
    const messages = state.messages[x];
    values[v.name] = messages[messages.length - 1].value;
  });
  return values;
}

/**
 * A canonical serialization of the state: two states with the same key allow the same
 * futures, so an explorer may visit a key once. The layout is not part of it: compare keys
 * of states of one layout only.
 */
export function memoryKey(state: MemoryState): string {
  const messages = state.messages
    .map((list) => list.map((m) => `${m.value}@${m.view.join(',')}`).join(';'))
    .join('|');
  const threads = state.threads
    .map((t) => [t.cur, t.seen, t.carry, t.own].map((v) => v.join(',')).join('/'))
    .join('|');
  const locks = state.locks
    .map((l) => `${l.holder ?? '-'}:${l.released.join(',')}/${l.ownWrites.join(',')}`)
    .join('|');
  return `${messages}#${threads}#${locks}#${state.global.join(',')}`;
}

/** The pointwise maximum of two views. */
export function join(a: View, b: View): View {
  let out: number[] | null = null;
  for (let i = 0; i < a.length; i++) {
    if (b[i] > a[i]) {
      out ??= a.slice();
      out[i] = b[i];
    }
  }
  return out ?? a;
}

/** An `sc` access: the plain access with an `smp_mb` on either side. */
function betweenMbs(
  state: MemoryState,
  thread: number,
  access: (state: MemoryState) => MemoryState,
): MemoryState {
  return fence(access(fence(state, thread, 'mb')), thread, 'mb');
}

function raise(view: View, x: number, timestamp: number): View {
  if (view[x] >= timestamp) return view;
  const out = view.slice();
  out[x] = timestamp;
  return out;
}

function withThread(state: MemoryState, thread: number, views: ThreadViews): MemoryState {
  const threads = state.threads.slice();
  threads[thread] = views;
  return { ...state, threads };
}

function threadOf(state: MemoryState, thread: number): ThreadViews {
  const views = state.threads[thread];
  if (views === undefined) throw new Error(`no thread P${thread} in this memory`);
  return views;
}

function varIndex(state: MemoryState, variable: string): number {
  const x = state.layout.vars.findIndex((v) => v.name === variable);
  if (x < 0) throw new Error(`no shared variable named ${variable}`);
  return x;
}

function lockIndex(state: MemoryState, lock: string): number {
  const l = state.layout.locks.indexOf(lock);
  if (l < 0) throw new Error(`no lock named ${lock}`);
  return l;
}
