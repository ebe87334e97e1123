/**
 * The classic litmus shapes, and the two shapes of the mempool, as `LitmusTest` values,
 * parameterized by the barriers each side has. The verdicts are never part of a shape: they
 * come from `enumerate`. The tests use these to check the memory model against the kernel
 * memory model's known verdicts, and the JavaScript litmus harness runs them on workers.
 */

import { kernelName } from './naming.ts';
import type { LCond, LExpr, LInstr, LitmusProc, LitmusTest } from './types.ts';

/** A barrier a side may have between its two accesses: none, or one of the kernel's. */
export type Barrier = 'none' | 'wmb' | 'rmb' | 'mb';

/** Message passing (MP): P0 writes `x` then `y`; P1 reads `y` then `x`. */
export interface MpOptions {
  /** Between P0's writes. */
  writer?: Barrier;
  /** Between P1's reads. */
  reader?: Barrier;
  /** P0 writes `y` with `smp_store_release`. */
  release?: boolean;
  /** P1 reads `y` with `smp_load_acquire`. */
  acquire?: boolean;
  /** Every access is `sc` (JavaScript `Atomics`); has no kernel C spelling. */
  sc?: boolean;
}

/** MP: can P1 see the flag `y` and still read the old `x`? */
export function mp(options: MpOptions = {}): LitmusTest {
  const { writer = 'none', reader = 'none' } = options;
  const procs: LitmusProc[] = [
    {
      regs: [],
      body: [
        store('x', 1, options.sc ? 'sc' : 'once'),
        ...barrier(writer),
        store('y', 1, options.sc ? 'sc' : options.release ? 'release' : 'once'),
      ],
    },
    {
      regs: ['r0', 'r1'],
      body: [
        load('r0', 'y', options.sc ? 'sc' : options.acquire ? 'acquire' : 'once'),
        ...barrier(reader),
        load('r1', 'x', options.sc ? 'sc' : 'once'),
      ],
    },
  ];
  return {
    name: kernelName('MP', procs),
    doc: ['P1 sees the flag y set by P0, then reads x from before P0 set it.'],
    vars: zeroed('x', 'y'),
    locks: [],
    procs,
    exists: all(reg(1, 'r0', 1), reg(1, 'r1', 0)),
  };
}

/** Store buffering (SB): each process writes its variable, then reads the other's. */
export interface SbOptions {
  /** The barrier between each process's write and read, P0's first. */
  barriers?: [Barrier, Barrier];
  /** Every access is `sc` (JavaScript `Atomics`). */
  sc?: boolean;
  /** Each access sits in its own critical section of one lock, `l`. */
  locked?: boolean;
}

/** SB: can both processes read the other's variable as 0? */
export function sb(options: SbOptions = {}): LitmusTest {
  const [first, second] = options.barriers ?? ['none', 'none'];
  const mode = options.sc ? 'sc' : 'once';
  const side = (mine: string, theirs: string, between: Barrier): LitmusProc => ({
    regs: ['r0'],
    body: [
      ...critical(options.locked, [store(mine, 1, mode)]),
      ...barrier(between),
      ...critical(options.locked, [load('r0', theirs, mode)]),
    ],
  });
  const procs = [side('x', 'y', first), side('y', 'x', second)];
  return {
    name: kernelName('SB', procs),
    doc: ['Each process writes its own variable, then reads the other one as 0.'],
    vars: zeroed('x', 'y'),
    locks: options.locked ? ['l'] : [],
    procs,
    exists: all(reg(0, 'r0', 0), reg(1, 'r0', 0)),
  };
}

/** Load buffering (LB): each process reads one variable, then writes the other. */
export interface LbOptions {
  /** The barrier between each process's read and write, P0's first. */
  barriers?: [Barrier, Barrier];
  /** Per process, whether the write sits under `if (r0)`: a control dependency. */
  ctrl?: [boolean, boolean];
}

/** LB: can each process read the value the other writes after its read? */
export function lb(options: LbOptions = {}): LitmusTest {
  const [first, second] = options.barriers ?? ['none', 'none'];
  const ctrl = options.ctrl ?? [false, false];
  const side = (mine: string, theirs: string, between: Barrier, dep: boolean): LitmusProc => {
    const publish = store(mine, 1, 'once');
    return {
      regs: ['r0'],
      body: [
        load('r0', theirs, 'once'),
        ...barrier(between),
        dep ? iff(regOf('r0'), [publish]) : publish,
      ],
    };
  };
  const procs = [side('y', 'x', first, ctrl[0]), side('x', 'y', second, ctrl[1])];
  return {
    name: kernelName('LB', procs),
    doc: ['Each process reads the value the other process writes after its own read.'],
    vars: zeroed('x', 'y'),
    locks: [],
    procs,
    exists: all(reg(0, 'r0', 1), reg(1, 'r0', 1)),
  };
}

/** Write-to-read causality (WRC): P0 writes `x`; P1 reads it and writes `y`; P2 reads both. */
export interface WrcOptions {
  /** What orders P1's read of `x` before its write of `y`. */
  middle?: 'none' | 'wmb' | 'mb' | 'release';
  /** Between P2's reads of `y` and `x`. */
  reader?: Barrier;
}

/** WRC: can P2 see `y` from P1, who saw `x`, and still read the old `x`? */
export function wrc(options: WrcOptions = {}): LitmusTest {
  const { middle = 'none', reader = 'rmb' } = options;
  const procs: LitmusProc[] = [
    { regs: [], body: [store('x', 1, 'once')] },
    {
      regs: ['r0'],
      body: [
        load('r0', 'x', 'once'),
        ...(middle === 'release' ? [] : barrier(middle)),
        store('y', 1, middle === 'release' ? 'release' : 'once'),
      ],
    },
    {
      regs: ['r0', 'r1'],
      body: [load('r0', 'y', 'once'), ...barrier(reader), load('r1', 'x', 'once')],
    },
  ];
  return {
    name: kernelName('WRC', procs),
    doc: ['P2 sees y written by P1 after P1 saw x, then reads x from before P0 wrote it.'],
    vars: zeroed('x', 'y'),
    locks: [],
    procs,
    exists: all(reg(1, 'r0', 1), reg(2, 'r0', 1), reg(2, 'r1', 0)),
  };
}

/** The reserve hand-off of kernel commit 5b990546 (see `handoff`). */
export interface HandoffOptions {
  /** After the allocating task's `spin_unlock`, before it publishes the element. */
  writer?: Barrier;
  /** In the freeing task, between reading the element and reading `curr_nr`. */
  reader?: Barrier;
}

/**
 * The mempool reserve hand-off. P0, the allocating task, takes an element from the reserve
 * inside `pool_lock` (`curr_nr` goes from 1 to 0), unlocks and publishes the element through
 * `p`. P1, the freeing task, sees the element and reads `curr_nr` without the lock. The
 * outcome asked about is the stale read: the element, and `curr_nr` from before it was
 * taken. Named `mempool-handoff+<writer>+<reader>`, `po` standing for no barrier.
 */
export function handoff(options: HandoffOptions = {}): LitmusTest {
  const { writer = 'none', reader = 'none' } = options;
  const taken: LExpr = { k: 'bin', op: '-', left: regOf('r2'), right: num(1) };
  const procs: LitmusProc[] = [
    {
      regs: ['r2'],
      body: [
        { k: 'lock', lock: 'pool_lock' },
        load('r2', 'curr_nr', 'once'),
        { k: 'write', var: 'curr_nr', expr: taken, mode: 'once' },
        { k: 'unlock', lock: 'pool_lock' },
        ...barrier(writer),
        store('p', 1, 'once'),
      ],
    },
    {
      regs: ['r0', 'r1'],
      body: [load('r0', 'p', 'once'), ...barrier(reader), load('r1', 'curr_nr', 'once')],
    },
  ];
  return {
    name: `mempool-handoff+${barrierName(writer)}+${barrierName(reader)}`,
    doc: [
      'The freeing task sees the element, then reads curr_nr from before the',
      'allocation that produced it (1 instead of 0).',
    ],
    vars: [
      { name: 'curr_nr', init: 1 },
      { name: 'p', init: 0 },
    ],
    locks: ['pool_lock'],
    procs,
    exists: all(reg(1, 'r0', 1), reg(1, 'r1', 1)),
  };
}

/** How the allocating task joins the wait queue (see `waitQueue`). */
export interface WaitQueueOptions {
  /**
   * `under-lock` (after kernel commit 5b990546): the waiter reads `curr_nr` and marks itself
   * queued inside one critical section. `after-unlock` (before it): it reads `curr_nr` under
   * the lock, unlocks, marks itself queued, then reads `curr_nr` again.
   */
  registration?: 'under-lock' | 'after-unlock';
  /** `after-unlock` only: between the waiter's mark and its second read. */
  waiter?: Barrier;
  /** Between the waker's `spin_unlock` and its read of the queued mark. */
  waker?: Barrier;
}

/**
 * The wait-queue registration. P0, the waiter, finds the reserve empty (`curr_nr` is 0) and
 * marks itself `queued`; P1, the waker, refills the reserve under the lock, unlocks, then
 * reads the mark. The outcome asked about is the dangling waiter: P0 goes to sleep on an
 * empty reserve while P1 sees nobody to wake.
 */
export function waitQueue(options: WaitQueueOptions = {}): LitmusTest {
  const { registration = 'under-lock', waiter = 'none', waker = 'none' } = options;
  const empty = (r: string): LExpr => ({ k: 'bin', op: '==', left: regOf(r), right: num(0) });
  const mark = store('queued', 1, 'once');
  const waiterBody: LInstr[] =
    registration === 'under-lock'
      ? critical(true, [load('r0', 'curr_nr', 'once'), iff(empty('r0'), [mark])], 'pool_lock')
      : [
          ...critical(true, [load('r0', 'curr_nr', 'once')], 'pool_lock'),
          iff(empty('r0'), [mark, ...barrier(waiter), load('r1', 'curr_nr', 'once')]),
        ];
  const procs: LitmusProc[] = [
    { regs: registration === 'under-lock' ? ['r0'] : ['r0', 'r1'], body: waiterBody },
    {
      regs: ['r0'],
      body: [
        ...critical(true, [store('curr_nr', 1, 'once')], 'pool_lock'),
        ...barrier(waker),
        load('r0', 'queued', 'once'),
      ],
    },
  ];
  const sleeps =
    registration === 'under-lock' ? [reg(0, 'r0', 0)] : [reg(0, 'r0', 0), reg(0, 'r1', 0)];
  return {
    name: kernelName(`mempool-waitqueue-${registration}`, procs),
    doc: [
      'The waiter sleeps on an empty reserve while the waker that refills it sees',
      'no waiter.',
    ],
    vars: zeroed('curr_nr', 'queued'),
    locks: ['pool_lock'],
    procs,
    exists: all(...sleeps, reg(1, 'r0', 0)),
  };
}

function load(r: string, variable: string, mode: 'once' | 'acquire' | 'sc'): LInstr {
  return { k: 'read', reg: r, var: variable, mode };
}

function store(variable: string, value: number, mode: 'once' | 'release' | 'sc'): LInstr {
  return { k: 'write', var: variable, expr: num(value), mode };
}

function barrier(kind: Barrier): LInstr[] {
  return kind === 'none' ? [] : [{ k: 'fence', fence: kind }];
}

function critical(locked: boolean | undefined, body: LInstr[], lock = 'l'): LInstr[] {
  return locked ? [{ k: 'lock', lock }, ...body, { k: 'unlock', lock }] : body;
}

function iff(cond: LExpr, then: LInstr[]): LInstr {
  return { k: 'if', cond, then, else: [] };
}

function regOf(name: string): LExpr {
  return { k: 'reg', name };
}

function num(value: number): LExpr {
  return { k: 'num', value };
}

function reg(proc: number, name: string, value: number): LCond {
  return { k: 'reg', proc, reg: name, value };
}

function all(...args: LCond[]): LCond {
  return { k: 'and', args };
}

function zeroed(...names: string[]): LitmusTest['vars'] {
  return names.map((name) => ({ name, init: 0 }));
}

function barrierName(kind: Barrier): string {
  return kind === 'none' ? 'po' : kind;
}
