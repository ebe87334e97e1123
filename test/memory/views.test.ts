import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canLock,
  createMemory,
  fence,
  finalValues,
  lock,
  lockHolder,
  memoryKey,
  read,
  readChoices,
  unlock,
  write,
  type MemoryState,
  type View,
} from '../../src/memory/views.ts';

const layout = {
  vars: [
    { name: 'x', init: 0 },
    { name: 'y', init: 0 },
    { name: 'z', init: 5 },
  ],
  locks: ['l'],
  threads: 3,
};

/** The values thread `t` may read from `variable` with a plain read. */
function values(state: MemoryState, t: number, variable: string): number[] {
  return readChoices(state, t, variable, 'once').map((c) => c.value);
}

/** Thread `t` reads the newest message of `variable`. */
function readNewest(state: MemoryState, t: number, variable: string): MemoryState {
  const choices = readChoices(state, t, variable, 'once');
  return read(state, t, variable, choices[choices.length - 1].timestamp, 'once');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function leq(a: View, b: View): boolean {
  return a.every((ts, i) => ts <= b[i]);
}

describe('the views memory model', () => {
  it('starts with one message per variable holding its initial value', () => {
    const mem = createMemory(layout);

    expect(finalValues(mem)).toEqual({ x: 0, y: 0, z: 5 });
    expect(values(mem, 0, 'z')).toEqual([5]);
  });

  it('lets a plain read return any message not older than the reader has already seen', () => {
    let mem = createMemory(layout);
    mem = write(mem, 0, 'x', 1, 'once');
    mem = write(mem, 0, 'x', 2, 'once');

    expect(values(mem, 1, 'x')).toEqual([0, 1, 2]);
    const afterMiddle = read(mem, 1, 'x', 1, 'once');
    expect(values(afterMiddle, 1, 'x')).toEqual([1, 2]);
  });

  it('never lets a thread read older than its own last write to a variable', () => {
    let mem = createMemory(layout);
    mem = write(mem, 1, 'x', 7, 'once');
    mem = write(mem, 0, 'x', 1, 'once');

    expect(values(mem, 0, 'x')).toEqual([1]);
    expect(values(mem, 1, 'x')).toEqual([7, 1]);
  });

  it('refuses a read of a message the reader may no longer see', () => {
    let mem = createMemory(layout);
    mem = write(mem, 0, 'x', 1, 'once');

    expect(() => read(mem, 0, 'x', 0, 'once')).toThrow(/cannot read x/);
  });

  it('makes writes after smp_wmb carry the thread own writes but not what it read', () => {
    let mem = createMemory(layout);
    mem = write(mem, 0, 'x', 1, 'once');
    mem = readNewest(mem, 1, 'x');
    mem = write(mem, 1, 'z', 6, 'once');
    mem = fence(mem, 1, 'wmb');
    mem = write(mem, 1, 'y', 1, 'once');

    // A reader that sees y and orders its reads sees z from P1, but may still miss x.
    mem = readNewest(mem, 2, 'y');
    mem = fence(mem, 2, 'rmb');
    expect(values(mem, 2, 'z')).toEqual([6]);
    expect(values(mem, 2, 'x')).toEqual([0, 1]);
  });

  it('makes smp_rmb adopt the views of every message read so far, and only then', () => {
    let mem = createMemory(layout);
    mem = write(mem, 0, 'x', 1, 'once');
    mem = write(mem, 0, 'y', 1, 'release');
    mem = readNewest(mem, 1, 'y');

    expect(values(mem, 1, 'x')).toEqual([0, 1]);
    expect(values(fence(mem, 1, 'rmb'), 1, 'x')).toEqual([1]);
  });

  it('makes a release carry what the writer read, and an acquire adopt it', () => {
    let mem = createMemory(layout);
    mem = write(mem, 0, 'x', 1, 'once');
    mem = readNewest(mem, 1, 'x');
    mem = write(mem, 1, 'y', 1, 'release');
    const [, newest] = readChoices(mem, 2, 'y', 'acquire');

    const acquired = read(mem, 2, 'y', newest.timestamp, 'acquire');
    const plain = read(mem, 2, 'y', newest.timestamp, 'once');
    expect(values(acquired, 2, 'x')).toEqual([1]);
    expect(values(plain, 2, 'x')).toEqual([0, 1]);
  });

  it('publishes through smp_mb so that of two smp_mb the later sees the earlier', () => {
    let mem = createMemory(layout);
    mem = write(mem, 0, 'x', 1, 'once');
    mem = fence(mem, 0, 'mb');
    mem = write(mem, 1, 'y', 1, 'once');

    expect(values(mem, 1, 'x')).toEqual([0, 1]);
    mem = fence(mem, 1, 'mb');
    expect(values(mem, 1, 'x')).toEqual([1]);
    // P0's smp_mb came first, so P0 may still miss y: store buffering needs both.
    expect(values(mem, 0, 'y')).toEqual([0, 1]);
  });

  it('treats an sc access as smp_mb before and after it', () => {
    let mem = createMemory(layout);
    mem = write(mem, 0, 'x', 1, 'sc');
    mem = write(mem, 1, 'y', 1, 'sc');

    expect(readChoices(mem, 1, 'x', 'sc').map((c) => c.value)).toEqual([1]);
    expect(values(mem, 0, 'y')).toEqual([0, 1]);
  });

  it('blocks spin_lock while the lock is held and passes the unlocker view on', () => {
    let mem = createMemory(layout);
    mem = lock(mem, 0, 'l');
    mem = write(mem, 0, 'x', 1, 'once');

    expect(canLock(mem, 'l')).toBe(false);
    expect(lockHolder(mem, 'l')).toBe(0);
    expect(() => lock(mem, 1, 'l')).toThrow(/P0 holds it/);
    expect(() => unlock(mem, 1, 'l')).toThrow(/does not hold/);

    mem = unlock(mem, 0, 'l');
    mem = lock(mem, 1, 'l');
    expect(values(mem, 1, 'x')).toEqual([1]);
  });

  it('makes writes after spin_lock carry the previous holder own writes', () => {
    let mem = createMemory(layout);
    mem = lock(mem, 0, 'l');
    mem = write(mem, 0, 'x', 1, 'once');
    mem = unlock(mem, 0, 'l');
    mem = lock(mem, 1, 'l');
    mem = write(mem, 1, 'y', 1, 'once');
    mem = readNewest(mem, 2, 'y');
    mem = fence(mem, 2, 'rmb');

    expect(values(mem, 2, 'x')).toEqual([1]);
  });

  it('never changes the state it is given', () => {
    const start = deepFreeze(createMemory(layout));
    let mem: MemoryState = start;
    mem = write(mem, 0, 'x', 1, 'once');
    mem = deepFreeze(mem);
    mem = readNewest(mem, 1, 'x');
    mem = fence(fence(fence(mem, 1, 'mb'), 1, 'rmb'), 1, 'wmb');
    mem = unlock(lock(mem, 2, 'l'), 2, 'l');

    expect(memoryKey(start)).toBe(memoryKey(createMemory(layout)));
  });

  it('gives equal keys to states reached by commuting steps and different keys otherwise', () => {
    const mem = write(createMemory(layout), 0, 'x', 1, 'once');
    const oneWay = fence(write(mem, 1, 'y', 1, 'once'), 0, 'rmb');
    const otherWay = write(fence(mem, 0, 'rmb'), 1, 'y', 1, 'once');

    expect(memoryKey(oneWay)).toBe(memoryKey(otherWay));
    expect(memoryKey(readNewest(oneWay, 2, 'x'))).not.toBe(memoryKey(oneWay));
  });

  it('keeps cur, carry and own within seen, and each view within the messages', () => {
    const step = fc.oneof(
      fc.record({ k: fc.constant('write' as const), var: fc.constantFrom('x', 'y', 'z') }),
      fc.record({ k: fc.constant('read' as const), var: fc.constantFrom('x', 'y', 'z') }),
      fc.record({ k: fc.constant('fence' as const), fence: fc.constantFrom('wmb', 'rmb', 'mb') }),
      fc.record({ k: fc.constant('lock' as const) }),
    );
    const program = fc.array(fc.tuple(fc.nat(2), step, fc.nat(3)), { maxLength: 25 });
    fc.assert(
      fc.property(program, (steps) => {
        let mem = createMemory(layout);
        for (const [t, s, pick] of steps) {
          if (s.k === 'write') mem = write(mem, t, s.var, pick, pick === 0 ? 'release' : 'once');
          else if (s.k === 'fence') mem = fence(mem, t, s.fence);
          else if (s.k === 'read') {
            const choices = readChoices(mem, t, s.var, 'once');
            const ts = choices[pick % choices.length].timestamp;
            mem = read(mem, t, s.var, ts, pick === 0 ? 'acquire' : 'once');
          } else if (lockHolder(mem, 'l') === t) mem = unlock(mem, t, 'l');
          else if (canLock(mem, 'l')) mem = lock(mem, t, 'l');

          const newest = mem.messages.map((m) => m.length - 1);
          for (const v of mem.threads) {
            expect(leq(v.cur, v.seen) && leq(v.carry, v.seen) && leq(v.own, v.seen)).toBe(true);
            expect(leq(v.seen, newest)).toBe(true);
          }
          expect(leq(mem.global, newest)).toBe(true);
        }
      }),
    );
  });
});
