import { describe, expect, it } from 'vitest';
import { CoverSet, covers, Hash64 } from '../../src/check/hash.ts';
import { stateHash, stateKey } from '../../src/check/keys.ts';
import { Machine } from '../../src/check/machine.ts';
import { compileOps } from '../../src/check/program.ts';
import { DONE, fork, type State } from '../../src/check/state.ts';
import { doWrite } from '../../src/check/memory.ts';
import { loadSpec } from '../../src/spec/load.ts';

const ir = loadSpec('spec/mempool.mps');

/** Every state of a small configuration, deduplicated by the readable key. */
function statesOf(params: Record<string, number>): { machine: Machine; states: State[] } {
  const machine = new Machine(ir, compileOps(ir), params, { kind: 'ranges',
    threads: params.threads, ops: params.ops, intRange: [1, 2] }, { sc: false });
  const byKey = new Map<string, State>();
  let frontier = [machine.initial()!];
  byKey.set(stateKey(frontier[0], machine.keyContext), frontier[0]);
  while (frontier.length > 0) {
    const next: State[] = [];
    for (const s of frontier) {
      for (const { state } of machine.expand(s, false).successors) {
        const key = stateKey(state, machine.keyContext);
        if (state.violation || byKey.has(key)) continue;
        byKey.set(key, state);
        next.push(state);
      }
    }
    frontier = next;
  }
  return { machine, states: [...byKey.values()] };
}

/** The configuration min_nr=1 capacity=0 threads≤2 ops≤2 of spec/mempool.mps. */
function smallMachine(): Machine {
  return new Machine(ir, compileOps(ir), { min_nr: 1, capacity: 0, threads: 2, ops: 2 },
    { kind: 'ranges', threads: 2, ops: 2, intRange: [1, 2] }, { sc: false });
}

/** A state's fingerprint under `machine`'s key, as a string to compare (calls left included). */
function fingerprintOf(machine: Machine): (s: State) => string {
  const h = new Hash64();
  return (s) => {
    const calls = stateHash(s, machine.keyContext, h);
    return `${h.lo}:${h.hi}:${calls}`;
  };
}

describe('state fingerprints', () => {
  it.each([
    [{ min_nr: 1, capacity: 1, threads: 2, ops: 2 }],
    [{ min_nr: 2, capacity: 0, threads: 2, ops: 2 }],
  ])('tell apart exactly the states the readable key tells apart (%j)', (params) => {
    const { machine, states } = statesOf(params);
    const h = new Hash64();
    const set = new CoverSet();
    const withoutCalls = new CoverSet();
    for (const s of states) {
      const calls = stateHash(s, machine.keyContext, h);
      // As a plain set: a state stands only for itself.
      set.add(h.lo, h.hi ^ Math.imul(calls, 0x9e3779b1), 0);
      withoutCalls.add(h.lo, h.hi, 0);
    }
    expect(states.length).toBeGreaterThan(500);
    expect(set.size).toBe(states.length);
    // Some states differ only in the calls their threads have left.
    expect(withoutCalls.size).toBeLessThan(states.length);
  });

  it('give a state and its copy with the threads swapped one fingerprint', () => {
    const { machine, states } = statesOf({ min_nr: 1, capacity: 1, threads: 2, ops: 2 });
    const h = new Hash64();
    let compared = 0;
    for (const s of states) {
      // Swapping threads is a symmetry only when no lock or view names a thread index.
      if (s.mem.locks.some((l) => l.holder !== null)) continue;
      const swapped: State = { ...s, threads: [s.threads[1], s.threads[0]],
        mem: { ...s.mem, threads: [s.mem.threads[1], s.mem.threads[0]] } };
      const a = [stateHash(s, machine.keyContext, h), h.lo, h.hi];
      expect([stateHash(swapped, machine.keyContext, h), h.lo, h.hi]).toEqual(a);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('let a state stand for one with fewer calls left, and not for one with more', () => {
    const { machine, states } = statesOf({ min_nr: 1, capacity: 1, threads: 2, ops: 2 });
    const h = new Hash64();
    const start = states.find((s) => s.threads.every((th) => th.op < 0 && th.cpc === 2 &&
      th.status === 0))!;
    // Thread 0 holds an element, so that with one call left it may still free it and read.
    const holding = (cpc: number): State => ({ ...start, out: start.out | (1 << 6),
      threads: [{ ...start.threads[0], cpc, regs: [7] }, start.threads[1]] });
    const between = holding(2);
    const fewer = holding(1);
    const more = stateHash(between, machine.keyContext, h);
    const fp = [h.lo, h.hi];
    const less = stateHash(fewer, machine.keyContext, h);
    expect([h.lo, h.hi]).toEqual(fp);
    expect([covers(more, less), covers(less, more)]).toEqual([true, false]);
    const set = new CoverSet();
    expect(set.add(fp[0], fp[1], less)).toBe(true);
    expect(set.add(fp[0], fp[1], more)).toBe(true);
    expect(set.add(fp[0], fp[1], less)).toBe(false);
    expect(set.add(fp[0], fp[1], more)).toBe(false);
    expect(set.size).toBe(2);
  });

  it('keep every cover added, through the growth of the table', () => {
    const set = new CoverSet();
    let fresh = 0;
    for (let i = 0; i < 100_000; i++) if (set.add(i * 7919, i ^ 0x5bd1e995, i & 0x33)) fresh++;
    let again = 0;
    for (let i = 0; i < 100_000; i += 997) if (set.add(i * 7919, i ^ 0x5bd1e995, i & 0x11)) again++;
    expect([fresh, again, set.size]).toEqual([100_000, 0, 100_000]);
    // Counters are compared one by one: 0x21 does not cover 0x12.
    expect(set.add(5, 5, 0x21) && set.add(5, 5, 0x12) && !set.add(5, 5, 0x11)).toBe(true);
  });

  describe('merging messages a read cannot tell apart', () => {
    const machine = smallMachine();
    const start = machine.initial()!;
    const fingerprint = fingerprintOf(machine);
    /** `start` after thread `t` writes `value` to `variable` with a plain write. */
    const written = (s: State, t: number, variable: string, value: number): State => {
      const next = fork(s, t);
      next.mem = doWrite(s.mem, t, variable, value, 'once', { sc: false }).memory;
      return next;
    };

    it('gives a write of the value a variable already holds, carrying nothing new, the key ' +
      'of the state before it', () => {
      // resize(1) on a pool whose min_nr is 1 writes min_nr its own value.
      const again = written(start, 0, 'min_nr', 1);
      expect(again.mem.messages[1]).toHaveLength(2);
      expect(stateKey(again, machine.keyContext)).toBe(stateKey(start, machine.keyContext));
      expect(fingerprint(again)).toBe(fingerprint(start));
      const twice = written(again, 1, 'min_nr', 1);
      expect(fingerprint(twice)).toBe(fingerprint(start));
    });

    it('keeps apart a write of a new value, and one of the same value that carries more', () => {
      const changed = written(start, 0, 'min_nr', 2);
      expect(fingerprint(changed)).not.toBe(fingerprint(start));
      // Thread 0 writes curr_nr, then min_nr its old value: the min_nr message carries the
      // new curr_nr, which a lockless reader of min_nr learns, so it is not the old one.
      const wmb = (s: State): State => {
        const next = fork(s, 0);
        next.mem = { ...s.mem, threads: s.mem.threads.map((v, t) =>
          (t === 0 ? { ...v, carry: v.own } : v)) };
        return next;
      };
      const curr = written(start, 0, 'curr_nr', 0);
      const carried = written(wmb(curr), 0, 'min_nr', 1);
      expect(carried.mem.messages[1][1].view[0]).toBe(1);
      expect(stateKey(carried, machine.keyContext)).not.toBe(stateKey(curr, machine.keyContext));
      expect(fingerprint(carried)).not.toBe(fingerprint(curr));
    });
  });

  it('leave out the views of guarded variables of a thread about to take their lock', () => {
    const machine = smallMachine();
    const alloc = machine.ops.find((o) => o.op.name === 'alloc')!;
    const lockPc = alloc.instrs.findIndex((i) => i.k === 'leaf' && i.stmt.k === 'lock');
    const start = machine.initial()!;
    // Thread 1 newly wrote curr_nr (under pool.lock, released since); thread 0 rests at
    // alloc's `lock pool.lock`, with an old view (it could read the stale 1) or a new one.
    const atLock = (s: State, t: number): State => {
      const next = fork(s, t);
      next.threads[t] = { ...next.threads[t], op: alloc.index, pc: lockPc,
        locals: alloc.slots.map(() => null) };
      return next;
    };
    const wrote = fork(start, 1);
    wrote.mem = doWrite(start.mem, 1, 'curr_nr', 0, 'once', { sc: false }).memory;
    wrote.mem = { ...wrote.mem, locks: wrote.mem.locks.map((l, i) =>
      (i === 0 ? { ...l, released: wrote.mem.threads[1].seen } : l)) };
    const stale = atLock(wrote, 0);
    const caughtUp = atLock({ ...wrote, mem: { ...wrote.mem, threads: wrote.mem.threads.map(
      (v, t) => (t === 0 ? { ...v, cur: wrote.mem.threads[1].cur, seen: wrote.mem.threads[1].seen }
        : v)) } }, 0);
    const fp = fingerprintOf(machine);
    expect(stale.mem.threads[0].cur[0]).toBe(0);
    expect(caughtUp.mem.threads[0].cur[0]).toBe(1);
    expect(fp(stale)).toBe(fp(caughtUp));
    expect(stateKey(stale, machine.keyContext)).toBe(stateKey(caughtUp, machine.keyContext));
    // Between calls the same two views differ: thread 0's next free may read the stale 1.
    const between = (s: State): State => ({ ...s, threads: s.threads.map((th, t) =>
      (t === 0 ? { ...th, op: -1, pc: 0, locals: [] } : th)) });
    expect(fp(between(stale))).not.toBe(fp(between(caughtUp)));
  });

  it('forget the views and the history once no thread will read shared memory again', () => {
    const machine = smallMachine();
    const free = machine.ops.find((o) => o.op.name === 'free')!;
    const wakePc = free.instrs.findIndex((i) => i.k === 'leaf' && i.stmt.k === 'wake');
    const start = machine.initial()!;
    // Thread 1 has stopped; thread 0 is in its last call, a free past its lockless test.
    const ending = (s: State, cpc: number): State => ({ ...s, threads: [
      { ...s.threads[0], op: free.index, pc: wakePc, locals: free.slots.map(() => null), cpc,
        regs: [7] },
      { ...s.threads[1], status: DONE, cpc: 0 }] });
    // The same newest values, reached with and without a stale message in between.
    const direct = start;
    const via = fork(start, 1);
    via.mem = doWrite(start.mem, 1, 'curr_nr', 0, 'once', { sc: false }).memory;
    via.mem = doWrite(via.mem, 1, 'curr_nr', 1, 'once', { sc: false }).memory;
    const fp = fingerprintOf(machine);
    expect(fp(ending(via, 0))).toBe(fp(ending(direct, 0)));
    expect(stateKey(ending(via, 0), machine.keyContext))
      .toBe(stateKey(ending(direct, 0), machine.keyContext));
    // With a call left, thread 0 may free the element it holds and read the stale 0 in its
    // lockless test.
    expect(fp(ending(via, 1))).not.toBe(fp(ending(direct, 1)));
    // An alloc reads curr_nr only under pool.lock, where the newest message is all there is.
    const alloc = machine.ops.find((o) => o.op.name === 'alloc')!;
    const inAlloc = (s: State): State => ({ ...s, threads: [
      { ...s.threads[0], op: alloc.index, pc: 1, locals: alloc.slots.map(() => null), cpc: 0 },
      { ...s.threads[1], status: DONE, cpc: 0 }] });
    expect(fp(inAlloc(via))).toBe(fp(inAlloc(direct)));
    // Between calls with one call left: without an element in hand, no call it can make
    // reads locklessly (free(null) returns at once); with one, its free will.
    const lastCall = (s: State, held: number[]): State => ({ ...s, threads: [
      { ...s.threads[0], op: -1, pc: 0, locals: [], cpc: 1, regs: held },
      { ...s.threads[1], status: DONE, cpc: 0 }] });
    expect(fp(lastCall(via, []))).toBe(fp(lastCall(direct, [])));
    expect(fp(lastCall(via, [7]))).not.toBe(fp(lastCall(direct, [7])));
  });

  it('keep the views a thread passes on but not the cur of a thread that will not read', () => {
    const machine = smallMachine();
    const resize = machine.ops.find((o) => o.op.name === 'resize')!;
    const start = machine.initial()!;
    const wrote = fork(start, 0);
    wrote.mem = doWrite(start.mem, 0, 'curr_nr', 0, 'once', { sc: false }).memory;
    // Thread 0 wrote curr_nr, which thread 1 has not seen. Thread 0 is in its last call, a
    // resize holding pool.lock (it reads only under the lock, and will unlock); thread 1
    // holds an element and has a call left (its free may read).
    const placed = (cur: number, seen: number): State => {
      const s = fork(wrote, 0);
      s.threads[0] = { ...s.threads[0], op: resize.index, pc: 1,
        locals: resize.slots.map(() => null), cpc: 0 };
      s.threads[1] = { ...s.threads[1], cpc: 1, regs: [7] };
      const v = s.mem.threads[0];
      s.mem = { ...s.mem, threads: [{ ...v, cur: [cur, 0], seen: [seen, 0] }, s.mem.threads[1]],
        locks: s.mem.locks.map((l, i) => (i === 0 ? { ...l, holder: 0 } : l)) };
      return s;
    };
    const fp = fingerprintOf(machine);
    expect(fp(placed(0, 1))).toBe(fp(placed(1, 1)));
    expect(stateKey(placed(0, 1), machine.keyContext))
      .toBe(stateKey(placed(1, 1), machine.keyContext));
    // Its seen reaches thread 1 through pool.lock: an unlock releases it, and a later
    // lockless read by thread 1 could then not return the older message.
    expect(fp(placed(0, 0))).not.toBe(fp(placed(0, 1)));
  });
});
