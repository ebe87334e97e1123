import { describe, expect, it } from 'vitest';
import { between, exclusive, procShape } from '../../src/memory/accesses.ts';
import type { LExpr, LitmusProc } from '../../src/litmus/types.ts';

const r = (name: string): LExpr => ({ k: 'reg', name });
const one: LExpr = { k: 'num', value: 1 };

/** r0 = x; r1 = r0 + 1; if (r0) { wmb; y = 1 } else { z = r1 }; mb; w = 1 */
const proc: LitmusProc = {
  regs: ['r0', 'r1'],
  body: [
    { k: 'read', reg: 'r0', var: 'x', mode: 'once' },
    { k: 'assign', reg: 'r1', expr: { k: 'bin', op: '+', left: r('r0'), right: one } },
    {
      k: 'if',
      cond: r('r0'),
      then: [
        { k: 'fence', fence: 'wmb' },
        { k: 'write', var: 'y', expr: one, mode: 'once' },
      ],
      else: [{ k: 'write', var: 'z', expr: r('r1'), mode: 'release' }],
    },
    { k: 'fence', fence: 'mb' },
    { k: 'write', var: 'w', expr: one, mode: 'once' },
  ],
};

describe('procShape', () => {
  const shape = procShape(proc);
  const [readX, writeY, writeZ, writeW] = shape.accesses;

  it('lists the accesses in program order with their kinds and modes', () => {
    expect(shape.accesses.map((a) => `${a.kind} ${a.variable} ${a.mode}`)).toEqual([
      'read x once',
      'write y once',
      'write z release',
      'write w once',
    ]);
  });

  it('tracks control dependencies into branches and data dependencies through registers', () => {
    expect([...writeY.ctrl]).toEqual([0]);
    expect([...writeY.data]).toEqual([]);
    expect([...writeZ.data]).toEqual([0]);
    expect([...writeW.ctrl]).toEqual([]);
  });

  it('tells accesses in opposite branches apart from accesses on one path', () => {
    expect(exclusive(writeY, writeZ)).toBe(true);
    expect(exclusive(readX, writeY)).toBe(false);
    expect(exclusive(writeZ, writeW)).toBe(false);
  });

  it('counts only the fences that run whenever both accesses run', () => {
    expect([...between(shape, readX, writeY).fences]).toEqual(['wmb']);
    expect([...between(shape, readX, writeZ).fences]).toEqual([]);
    expect([...between(shape, writeZ, writeW).fences]).toEqual(['mb']);
  });

  it('numbers critical sections and sees an unlock followed by a lock of the same lock', () => {
    const locked = procShape({
      regs: ['r0'],
      body: [
        { k: 'lock', lock: 'l' },
        { k: 'write', var: 'x', expr: one, mode: 'once' },
        { k: 'unlock', lock: 'l' },
        { k: 'lock', lock: 'l' },
        { k: 'read', reg: 'r0', var: 'y', mode: 'once' },
        { k: 'unlock', lock: 'l' },
      ],
    });
    const [first, second] = locked.accesses;

    expect([first.section, second.section]).toEqual([0, 1]);
    expect(between(locked, first, second).unlockThenLock).toBe(true);
  });
});
