import { describe, expect, it } from 'vitest';
import { compactName, describeProc, kernelName } from '../../src/litmus/naming.ts';
import { handoff, waitQueue } from '../../src/litmus/shapes.ts';
import type { LExpr, LInstr, LitmusProc } from '../../src/litmus/types.ts';

const one: LExpr = { k: 'num', value: 1 };
const W = (variable: string, mode: 'once' | 'release' = 'once'): LInstr => ({
  k: 'write',
  var: variable,
  expr: one,
  mode,
});
const R = (reg: string, variable: string, mode: 'once' | 'acquire' = 'once'): LInstr => ({
  k: 'read',
  reg,
  var: variable,
  mode,
});
const F = (fence: 'wmb' | 'rmb' | 'mb'): LInstr => ({ k: 'fence', fence });
const proc = (...body: LInstr[]): LitmusProc => ({ regs: ['r0', 'r1'], body });

/** Processes of tests in the kernel's tools/memory-model/litmus-tests, and their names. */
const kernelTests: [string, string, LitmusProc[]][] = [
  ['MP+poonceonces', 'MP', [proc(W('x'), W('y')), proc(R('r0', 'y'), R('r1', 'x'))]],
  [
    'MP+fencewmbonceonce+fencermbonceonce',
    'MP',
    [proc(W('x'), F('wmb'), W('y')), proc(R('r0', 'y'), F('rmb'), R('r1', 'x'))],
  ],
  [
    'MP+pooncerelease+poacquireonce',
    'MP',
    [proc(W('x'), W('y', 'release')), proc(R('r0', 'y', 'acquire'), R('r1', 'x'))],
  ],
  ['SB+poonceonces', 'SB', [proc(W('x'), R('r0', 'y')), proc(W('y'), R('r0', 'x'))]],
  [
    'SB+fencembonceonces',
    'SB',
    [proc(W('x'), F('mb'), R('r0', 'y')), proc(W('y'), F('mb'), R('r0', 'x'))],
  ],
  [
    'LB+fencembonceonce+ctrlonceonce',
    'LB',
    [
      proc(R('r0', 'x'), F('mb'), W('y')),
      proc(R('r0', 'y'), { k: 'if', cond: { k: 'reg', name: 'r0' }, then: [W('x')], else: [] }),
    ],
  ],
  [
    'WRC+poonceonces+Once',
    'WRC',
    [proc(W('x')), proc(R('r0', 'x'), W('y')), proc(R('r0', 'y'), R('r1', 'x'))],
  ],
  [
    'WRC+pooncerelease+fencermbonceonce+Once',
    'WRC',
    [
      proc(W('x')),
      proc(R('r0', 'x'), W('y', 'release')),
      proc(R('r0', 'y'), F('rmb'), R('r1', 'x')),
    ],
  ],
  [
    'IRIW+fencembonceonces+OnceOnce',
    'IRIW',
    [
      proc(W('x')),
      proc(R('r0', 'x'), F('mb'), R('r1', 'y')),
      proc(W('y')),
      proc(R('r0', 'y'), F('mb'), R('r1', 'x')),
    ],
  ],
  [
    'ISA2+pooncerelease+poacquirerelease+poacquireonce',
    'ISA2',
    [
      proc(W('x'), W('y', 'release')),
      proc(R('r0', 'y', 'acquire'), W('z', 'release')),
      proc(R('r0', 'z', 'acquire'), R('r1', 'x')),
    ],
  ],
  ['CoRR+poonceonce+Once', 'CoRR', [proc(W('x')), proc(R('r0', 'x'), R('r1', 'x'))]],
];

describe('kernelName', () => {
  it.each(kernelTests)('names the kernel test %s', (name, pattern, procs) => {
    expect(kernelName(pattern, procs)).toBe(name);
  });

  it('writes a shared description once with an s only when all processes share it', () => {
    const same = proc(W('x'), R('r0', 'y'));

    expect(kernelName('SB', [same, same, same])).toBe('SB+poonceonces');
    expect(kernelName('SB', [same, proc(W('y'), F('mb'), R('r0', 'x'))])).toBe(
      'SB+poonceonce+fencembonceonce',
    );
  });
});

describe('compactName', () => {
  it('lists each process\'s barriers, and writes a shared description once with an s', () => {
    const wmb = proc(W('x'), F('wmb'), W('y'));
    const rmb = proc(R('r0', 'y'), F('rmb'), R('r1', 'x'));
    expect(compactName('mempool-handoff', [wmb, rmb])).toBe('mempool-handoff+wmb+rmb');
    expect(compactName('mempool-exhausted', [wmb, wmb])).toBe('mempool-exhausted+wmbs');
    expect(compactName('mempool-three', [wmb, wmb, rmb])).toBe('mempool-three+wmb+wmb+rmb');
    expect(compactName('mempool-alone', [wmb])).toBe('mempool-alone+wmb');
  });
});

describe('describeProc', () => {
  it('describes accesses inside one critical section the kernel way, as in pooncelock', () => {
    const locked = proc({ k: 'lock', lock: 'l' }, R('r0', 'y'), W('z'), { k: 'unlock', lock: 'l' });

    expect(describeProc(locked)).toBe('pooncelock');
  });

  it('joins the segments of a process with more than two accesses by dashes', () => {
    expect(describeProc(handoff({ writer: 'wmb' }).procs[0])).toBe(
      'dataoncelock-fencewmbonceonce',
    );
    expect(describeProc(handoff().procs[0])).toBe('dataoncelock-poonceonce');
  });

  it('names an unlock followed by a lock of the same lock between two accesses', () => {
    const split = proc(
      { k: 'lock', lock: 'l' },
      W('x'),
      { k: 'unlock', lock: 'l' },
      { k: 'lock', lock: 'l' },
      R('r0', 'y'),
      { k: 'unlock', lock: 'l' },
    );

    expect(describeProc(split)).toBe('unlocklockonceonce');
  });

  it('describes a control dependency into a critical section and a process with no access', () => {
    expect(describeProc(waitQueue().procs[0])).toBe('ctrloncelock');
    expect(describeProc(proc(F('mb')))).toBe('Nop');
  });
});
