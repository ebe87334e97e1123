import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/litmus/enumerate.ts';
import { jsVerdict, toJsModel } from '../../src/litmus/js.ts';
import { mp, sb, type Barrier } from '../../src/litmus/shapes.ts';
import type { LInstr, LitmusTest } from '../../src/litmus/types.ts';

const one = { k: 'num', value: 1 } as const;

/** MP with every kind of ordering the kernel has: a lock, a fence, acquire and release. */
const kernelMp: LitmusTest = {
  name: 'MP+mixed',
  doc: ['Message passing.'],
  vars: [
    { name: 'x', init: 0 },
    { name: 'y', init: 0 },
    { name: 'z', init: 0 },
  ],
  locks: ['l'],
  procs: [
    {
      regs: [],
      body: [
        { k: 'lock', lock: 'l' },
        { k: 'write', var: 'z', expr: one, mode: 'once' },
        { k: 'unlock', lock: 'l' },
        { k: 'write', var: 'x', expr: one, mode: 'once' },
        { k: 'fence', fence: 'wmb' },
        { k: 'write', var: 'y', expr: one, mode: 'release' },
      ],
    },
    {
      regs: ['r0', 'r1', 'r2'],
      body: [
        { k: 'read', reg: 'r0', var: 'y', mode: 'acquire' },
        {
          k: 'if',
          cond: { k: 'reg', name: 'r0' },
          then: [{ k: 'fence', fence: 'rmb' }, { k: 'read', reg: 'r1', var: 'x', mode: 'once' }],
          else: [{ k: 'fence', fence: 'mb' }, { k: 'assign', reg: 'r1', expr: one }],
        },
        { k: 'read', reg: 'r2', var: 'z', mode: 'sc' },
      ],
    },
  ],
  exists: {
    k: 'and',
    args: [
      { k: 'reg', proc: 1, reg: 'r0', value: 1 },
      { k: 'reg', proc: 1, reg: 'r1', value: 0 },
    ],
  },
};

describe('toJsModel', () => {
  it('drops fences, makes protected accesses sc and every other marked access plain', () => {
    const js = toJsModel(kernelMp, ['x', 'unused']);

    expect(js.procs[0].body).toEqual([
      { k: 'lock', lock: 'l' },
      { k: 'write', var: 'z', expr: one, mode: 'once' },
      { k: 'unlock', lock: 'l' },
      { k: 'write', var: 'x', expr: one, mode: 'sc' },
      { k: 'write', var: 'y', expr: one, mode: 'once' },
    ]);
    expect(js.procs[1].body).toEqual([
      { k: 'read', reg: 'r0', var: 'y', mode: 'once' },
      {
        k: 'if',
        cond: { k: 'reg', name: 'r0' },
        then: [{ k: 'read', reg: 'r1', var: 'x', mode: 'sc' }],
        else: [{ k: 'assign', reg: 'r1', expr: one }],
      },
      { k: 'read', reg: 'r2', var: 'z', mode: 'sc' },
    ]);
  });

  it('keeps the name, variables, locks, registers and exists clause, and says what changed', () => {
    const js = toJsModel(kernelMp, ['x', 'y']);

    expect(js.name).toBe(kernelMp.name);
    expect(js.vars).toEqual(kernelMp.vars);
    expect(js.locks).toEqual(kernelMp.locks);
    expect(js.procs.map((p) => p.regs)).toEqual(kernelMp.procs.map((p) => p.regs));
    expect(js.exists).toEqual(kernelMp.exists);
    expect(js.doc.slice(0, -1)).toEqual(kernelMp.doc);
    expect(js.doc.at(-1)).toMatch(/fences dropped, x, y use Atomics/);
  });

  it('maps any program so that only plain and sc accesses remain, sc exactly where due', () => {
    fc.assert(
      fc.property(arbitraryTest, fc.subarray(['x', 'y', 'z']), (test, protectedVars) => {
        const before = JSON.stringify(test);
        const js = toJsModel(test, protectedVars);

        expect(JSON.stringify(test)).toBe(before);
        js.procs.forEach((proc, p) => {
          const kernel = flatten(test.procs[p].body).filter((i) => i.k !== 'fence');
          const mapped = flatten(proc.body);
          expect(mapped.map((i) => i.k)).toEqual(kernel.map((i) => i.k));
          mapped.forEach((instr, n) => {
            const original = kernel[n];
            if (instr.k !== 'read' && instr.k !== 'write') return;
            if (original.k !== 'read' && original.k !== 'write') return;
            const due = protectedVars.includes(instr.var) || original.mode === 'sc';
            expect(instr.mode).toBe(due ? 'sc' : 'once');
          });
        });
      }),
    );
  });

  it('gives the JavaScript verdict of the mapped program, computed by the memory model', () => {
    const allProtected = jsVerdict(kernelMp, ['x', 'y']);
    const unprotected = jsVerdict(kernelMp, []);

    expect(allProtected).toBe('Never');
    expect(unprotected).toBe('Sometimes');
  });
});

describe('the JavaScript verdict of MP and SB shapes', () => {
  it('stays Never when every access is protected, whatever the kernel barriers were', () => {
    fc.assert(
      fc.property(arbitraryShape, (test) => {
        if (enumerate(test).verdict !== 'Never') return;
        expect(jsVerdict(test, ['x', 'y'])).toBe('Never');
      }),
    );
  });

  it('never turns Never into Sometimes when more variables are protected', () => {
    fc.assert(
      fc.property(
        arbitraryShape,
        fc.subarray(['x', 'y']),
        fc.subarray(['x', 'y']),
        (test, some, more) => {
          const fewer = jsVerdict(test, some);
          const wider = jsVerdict(test, [...new Set([...some, ...more])]);
          if (fewer === 'Never') expect(wider).toBe('Never');
        },
      ),
    );
  });

  it('allows the weak SB and MP outcomes with plain accesses, whatever the fences', () => {
    fc.assert(
      fc.property(arbitraryShape, (test) => {
        // Locks stay locks in JavaScript: SB with each access in its own critical section
        // is Never with or without fences.
        expect(jsVerdict(test, [])).toBe(test.locks.length > 0 ? 'Never' : 'Sometimes');
      }),
    );
  });
});

const barrier = fc.constantFrom<Barrier>('none', 'wmb', 'rmb', 'mb');

/** MP and SB with any barriers, acquire/release and locks the kernel can spell. */
const arbitraryShape: fc.Arbitrary<LitmusTest> = fc.oneof(
  fc
    .record({ writer: barrier, reader: barrier, release: fc.boolean(), acquire: fc.boolean() })
    .map((options) => mp(options)),
  fc
    .record({ barriers: fc.tuple(barrier, barrier), locked: fc.boolean() })
    .map((options) => sb(options)),
);

/** Instructions in program order, `if` bodies included after their `if`. */
function flatten(body: LInstr[]): LInstr[] {
  return body.flatMap((i) => (i.k === 'if' ? [i, ...flatten(i.then), ...flatten(i.else)] : [i]));
}

const variable = fc.constantFrom('x', 'y', 'z');
const register = fc.constantFrom('r0', 'r1');

const { instr: arbitraryInstr } = fc.letrec<{ instr: LInstr }>((tie) => ({
  instr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      k: fc.constant('read' as const),
      reg: register,
      var: variable,
      mode: fc.constantFrom('once' as const, 'acquire' as const, 'sc' as const),
    }),
    fc.record({
      k: fc.constant('write' as const),
      var: variable,
      expr: fc.record({ k: fc.constant('num' as const), value: fc.integer({ min: 0, max: 3 }) }),
      mode: fc.constantFrom('once' as const, 'release' as const, 'sc' as const),
    }),
    fc.record({
      k: fc.constant('fence' as const),
      fence: fc.constantFrom('wmb' as const, 'rmb' as const, 'mb' as const),
    }),
    fc.record({ k: fc.constantFrom('lock' as const, 'unlock' as const), lock: fc.constant('l') }),
    fc.record({
      k: fc.constant('if' as const),
      cond: fc.record({ k: fc.constant('reg' as const), name: register }),
      then: fc.array(tie('instr'), { maxLength: 3 }),
      else: fc.array(tie('instr'), { maxLength: 3 }),
    }),
  ),
}));

const arbitraryTest: fc.Arbitrary<LitmusTest> = fc
  .array(fc.array(arbitraryInstr, { maxLength: 6 }), { minLength: 1, maxLength: 3 })
  .map((bodies) => ({
    name: 'random',
    doc: [],
    vars: ['x', 'y', 'z'].map((name) => ({ name, init: 0 })),
    locks: ['l'],
    procs: bodies.map((body) => ({ regs: ['r0', 'r1'], body })),
    exists: { k: 'reg', proc: 0, reg: 'r0', value: 1 },
  }));
