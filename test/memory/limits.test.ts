import { describe, expect, it } from 'vitest';
import { outOfOrderCycle } from '../../src/memory/limits.ts';
import { handoff, lb, mp, sb, waitQueue, wrc } from '../../src/litmus/shapes.ts';
import type { LitmusTest } from '../../src/litmus/types.ts';

const one = { k: 'num', value: 1 } as const;

/** 2+2W: each process writes both variables, in opposite orders. */
function twoPlusTwoW(mode: 'once' | 'sc', between: 'none' | 'mb' | 'wmb'): LitmusTest {
  const side = (first: string, second: string) => ({
    regs: [],
    body: [
      { k: 'write', var: first, expr: { k: 'num', value: 2 }, mode },
      ...(between === 'none' ? [] : [{ k: 'fence', fence: between } as const]),
      { k: 'write', var: second, expr: one, mode },
    ] as LitmusTest['procs'][number]['body'],
  });
  return {
    name: '2+2W',
    doc: [],
    vars: [
      { name: 'x', init: 0 },
      { name: 'y', init: 0 },
    ],
    locks: [],
    procs: [side('x', 'y'), side('y', 'x')],
    exists: {
      k: 'and',
      args: [
        { k: 'var', var: 'x', value: 2 },
        { k: 'var', var: 'y', value: 2 },
      ],
    },
  };
}

describe('outOfOrderCycle', () => {
  it('finds the load-buffering cycle and says which accesses form it', () => {
    expect(outOfOrderCycle(lb())).toBe('P0 reads x then writes y; P1 reads y then writes x');
  });

  it('finds LB with a barrier on one side only, whose other side is still unordered', () => {
    expect(outOfOrderCycle(lb({ barriers: ['mb', 'none'] }))).not.toBeNull();
  });

  it('accepts LB ordered on both sides, by smp_mb or by a control dependency', () => {
    expect(outOfOrderCycle(lb({ barriers: ['mb', 'mb'] }))).toBeNull();
    expect(outOfOrderCycle(lb({ barriers: ['mb', 'none'], ctrl: [false, true] }))).toBeNull();
  });

  it('counts an sc access between two accesses as an smp_mb between them', () => {
    const test = lb();
    const sc: LitmusTest['procs'][number]['body'][number] = {
      k: 'write',
      var: 'z',
      expr: one,
      mode: 'sc',
    };
    const procs = test.procs.map((p) => ({ ...p, body: [p.body[0], sc, p.body[1]] }));
    const vars = [...test.vars, { name: 'z', init: 0 }];

    expect(outOfOrderCycle({ ...test, vars, procs })).toBeNull();
  });

  it('finds 2+2W, where coherence order must run against program order', () => {
    expect(outOfOrderCycle(twoPlusTwoW('once', 'none'))).not.toBeNull();
    // smp_wmb orders the two writes (the kernel model forbids 2+2W+fencewmbonceonces).
    expect(outOfOrderCycle(twoPlusTwoW('once', 'wmb'))).toBeNull();
    expect(outOfOrderCycle(twoPlusTwoW('once', 'mb'))).toBeNull();
    expect(outOfOrderCycle(twoPlusTwoW('sc', 'none'))).toBeNull();
  });

  it('finds nothing in the shapes whose verdicts the model gives', () => {
    const shapes = [
      mp(),
      mp({ writer: 'wmb', reader: 'rmb' }),
      sb(),
      sb({ locked: true }),
      wrc({ middle: 'wmb' }),
      handoff(),
      handoff({ writer: 'wmb', reader: 'rmb' }),
      waitQueue(),
      waitQueue({ registration: 'after-unlock', waiter: 'mb' }),
    ];
    for (const shape of shapes) expect(outOfOrderCycle(shape), shape.name).toBeNull();
  });
});
