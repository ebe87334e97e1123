import { describe, expect, it } from 'vitest';
import { toC } from '../../src/litmus/c.ts';
import { enumerate } from '../../src/litmus/enumerate.ts';
import { handoff, lb, mp, sb, waitQueue, wrc, type Barrier } from '../../src/litmus/shapes.ts';
import type { LCond, LExpr, LInstr, LitmusTest, Verdict } from '../../src/litmus/types.ts';

/** The example of reference/lkmm-litmus-format.md, byte for byte. */
const handoffExample = `C mempool-handoff+wmb+rmb

(*
 * Result: Never
 *
 * The freeing task sees the element, then reads curr_nr from before the
 * allocation that produced it (1 instead of 0).
 *)

{
\tint curr_nr = 1;
\tint p = 0;
}

P0(int *curr_nr, int *p, spinlock_t *pool_lock)
{
\tint r2;

\tspin_lock(pool_lock);
\tr2 = READ_ONCE(*curr_nr);
\tWRITE_ONCE(*curr_nr, r2 - 1);
\tspin_unlock(pool_lock);
\tsmp_wmb();
\tWRITE_ONCE(*p, 1);
}

P1(int *curr_nr, int *p)
{
\tint r0;
\tint r1;

\tr0 = READ_ONCE(*p);
\tsmp_rmb();
\tr1 = READ_ONCE(*curr_nr);
}

exists (1:r0=1 /\\ 1:r1=1)
`;

const barriers: Barrier[] = ['none', 'wmb', 'rmb', 'mb'];
const grid = barriers.flatMap((a) => barriers.map((b) => [a, b] as [Barrier, Barrier]));

/** Every kernel-side shape over a grid of barriers (no sc: that has no C spelling). */
const kernelShapes: LitmusTest[] = [
  ...grid.map(([writer, reader]) => mp({ writer, reader })),
  mp({ release: true, acquire: true }),
  ...grid.flatMap((barriers) => [sb({ barriers }), sb({ barriers, locked: true })]),
  ...grid.flatMap((barriers) => [lb({ barriers }), lb({ barriers, ctrl: [true, true] })]),
  ...(['none', 'wmb', 'mb', 'release'] as const).flatMap((middle) =>
    barriers.map((reader) => wrc({ middle, reader })),
  ),
  ...grid.map(([writer, reader]) => handoff({ writer, reader })),
  ...grid.flatMap(([waiter, waker]) => [
    waitQueue({ waker }),
    waitQueue({ registration: 'after-unlock', waiter, waker }),
  ]),
];

/** What every printed file must look like, whatever its program. */
function expectWellFormed(text: string, test: LitmusTest, verdict: Verdict): void {
  const lines = text.split('\n');
  expect(text.endsWith(')\n')).toBe(true);
  expect(lines.slice(0, 4)).toEqual(['C ' + test.name, '', '(*', ` * Result: ${verdict}`]);
  expect(lines.indexOf(' *)')).toBeGreaterThan(3);

  let depth = 0;
  for (const ch of text.replace(/\(\*[\s\S]*?\*\)/, '')) {
    if (ch === '{' || ch === '(') depth++;
    if (ch === '}' || ch === ')') depth--;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);

  const headers = lines.filter((l) => /^P\d+\(/.test(l)).map((l) => Number(/^P(\d+)/.exec(l)![1]));
  expect(headers).toEqual(test.procs.map((_, p) => p));
  const exists = lines.filter((l) => l.startsWith('exists'));
  expect(exists).toHaveLength(1);
  expect(lines[lines.length - 2]).toBe(exists[0]);
  expect(lines.filter((l) => /^\t/.test(l) && /\S\s{2,}\S/.test(l))).toEqual([]);
}

function single(body: LInstr[], regs: string[], exists?: LCond): LitmusTest {
  return {
    name: 'T',
    doc: [],
    vars: [
      { name: 'x', init: 0 },
      { name: 'y', init: 0 },
    ],
    locks: [],
    procs: [{ regs, body }],
    exists: exists ?? { k: 'reg', proc: 0, reg: regs[0], value: 0 },
  };
}

const reg = (name: string): LExpr => ({ k: 'reg', name });
const num = (value: number): LExpr => ({ k: 'num', value });
const bin = (op: Extract<LExpr, { k: 'bin' }>['op'], left: LExpr, right: LExpr): LExpr => ({
  k: 'bin',
  op,
  left,
  right,
});
const wx: LInstr = { k: 'write', var: 'x', expr: num(1), mode: 'once' };
const wy: LInstr = { k: 'write', var: 'y', expr: num(1), mode: 'once' };
const reads: LInstr[] = [
  { k: 'read', reg: 'r0', var: 'x', mode: 'once' },
  { k: 'read', reg: 'r1', var: 'y', mode: 'acquire' },
];

/** The lines of P0's body after the declarations, without their first tab. */
function bodyOf(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf('{', lines.findIndex((l) => l.startsWith('P0(')));
  const end = lines.indexOf('}', start);
  const body = lines.slice(start + 1, end);
  return body.slice(body.indexOf('') + 1).map((l) => l.slice(1));
}

describe('toC', () => {
  it('prints the hand-off exactly as the example in lkmm-litmus-format.md', () => {
    const test = handoff({ writer: 'wmb', reader: 'rmb' });
    const doc = [
      'The freeing task sees the element, then reads curr_nr from before the',
      'allocation that produced it (1 instead of 0).',
    ];

    expect(toC({ ...test, doc }, enumerate(test).verdict)).toBe(handoffExample);
  });

  it('prints every kernel shape as a well-formed file carrying its computed verdict', () => {
    for (const test of kernelShapes) {
      const { verdict, limitedBy } = enumerate(test);
      if (limitedBy !== null && verdict !== 'Sometimes') {
        expect(() => toC(test, verdict), test.name).toThrow(/cannot produce/);
        continue;
      }
      expectWellFormed(toC(test, verdict), test, verdict);
    }
  });

  it('refuses a Never for LB, which the model cannot judge, but prints herd7 Sometimes', () => {
    expect(() => toC(lb(), 'Never')).toThrow(/refusing 'Result: Never'.*P0 reads x then writes y/);
    expect(toC(lb(), 'Sometimes')).toContain(' * Result: Sometimes\n');
  });

  it('prints {} when every variable starts at zero, and every variable otherwise', () => {
    expect(toC(mp(), 'Sometimes')).toContain('\n{}\n');
    const oneSet = { ...mp(), vars: [{ name: 'x', init: 0 }, { name: 'y', init: -1 }] };
    expect(toC(oneSet, 'Sometimes')).toContain('\n{\n\tint x = 0;\n\tint y = -1;\n}\n');
  });

  it('spells acquire and release accesses and spaces out register arithmetic', () => {
    const sum = bin('-', reg('r0'), bin('+', reg('r1'), num(1)));
    const arithmetic: LInstr = { k: 'assign', reg: 'r0', expr: sum };
    const minus = bin('-', reg('r1'), num(-1));
    const release: LInstr = { k: 'write', var: 'x', expr: minus, mode: 'release' };
    const text = toC(single([...reads, arithmetic, release], ['r0', 'r1']), 'Sometimes');

    expect(bodyOf(text)).toEqual([
      'r0 = READ_ONCE(*x);',
      'r1 = smp_load_acquire(y);',
      'r0 = r0 - (r1 + 1);',
      'smp_store_release(x, r1 - -1);',
    ]);
  });

  it('lowers &&, || and ! into nested ifs built only from == and !=', () => {
    const notZero: LExpr = { k: 'not', arg: bin('==', reg('r1'), num(0)) };
    const cond = bin('&&', bin('==', reg('r0'), num(1)), notZero);
    const both: LInstr = { k: 'if', cond, then: [wx], else: [wy] };
    const either: LInstr = { k: 'if', cond: bin('||', reg('r0'), reg('r1')), then: [], else: [wy] };

    expect(bodyOf(toC(single([...reads, both], ['r0', 'r1']), 'Sometimes'))).toEqual([
      'r0 = READ_ONCE(*x);',
      'r1 = smp_load_acquire(y);',
      'if (r0 == 1) {',
      '\tif (r1 != 0) {',
      '\t\tWRITE_ONCE(*x, 1);',
      '\t} else {',
      '\t\tWRITE_ONCE(*y, 1);',
      '\t}',
      '} else {',
      '\tWRITE_ONCE(*y, 1);',
      '}',
    ]);
    expect(bodyOf(toC(single([...reads, either], ['r0', 'r1']), 'Sometimes')).slice(2)).toEqual([
      'if (r0 == 0) {',
      '\tif (r1 == 0) {',
      '\t\tWRITE_ONCE(*y, 1);',
      '\t}',
      '}',
    ]);
  });

  it('refuses what herd7 is not known to accept: <, comparisons in values, sc accesses', () => {
    const less: LInstr = { k: 'if', cond: bin('<', reg('r0'), num(1)), then: [wx], else: [] };
    const flag = bin('==', reg('r0'), num(1));
    const compared: LInstr = { k: 'write', var: 'y', expr: flag, mode: 'once' };

    const print = (instr: LInstr) => () => toC(single([reads[0], instr], ['r0']), 'Sometimes');

    expect(print(less)).toThrow(/'<' in an if condition/);
    expect(print(compared)).toThrow(/'==' inside a value/);
    expect(() => toC(mp({ sc: true }), 'Never')).toThrow(/sc access .* no kernel C spelling/);
  });

  it('prints exists clauses with /\\, \\/ and ~, parenthesized by nesting', () => {
    const exists: LCond = {
      k: 'or',
      args: [
        { k: 'reg', proc: 0, reg: 'r0', value: 1 },
        {
          k: 'not',
          arg: {
            k: 'and',
            args: [
              { k: 'var', var: 'x', value: 2 },
              { k: 'reg', proc: 0, reg: 'r0', value: 0 },
            ],
          },
        },
      ],
    };
    const text = toC(single([reads[0]], ['r0'], exists), 'Sometimes');

    expect(text.endsWith('exists (0:r0=1 \\/ ~(x=2 /\\ 0:r0=0))\n')).toBe(true);
  });

  it('refuses names herd7 would misread and doc lines that would close the comment', () => {
    const lockVar = { ...mp(), vars: [{ name: 'lock', init: 0 }, { name: 'y', init: 0 }] };
    const procReg = single([{ k: 'read', reg: 'P1', var: 'x', mode: 'once' }], ['P1']);
    const shadow = single([{ k: 'read', reg: 'x', var: 'x', mode: 'once' }], ['x']);

    const validVar = { ...mp(), vars: [{ name: 'x', init: 0 }, { name: 'valid', init: 0 }] };

    expect(() => toC(lockVar, 'Sometimes')).toThrow(/'lock' is not a name/);
    expect(() => toC(validVar, 'Sometimes')).toThrow(/'valid' is not a name/);
    expect(() => toC(procReg, 'Sometimes')).toThrow(/'P1' is not a name/);
    expect(() => toC(shadow, 'Sometimes')).toThrow(/register x shadows/);
    expect(() => toC({ ...mp(), doc: ['done *)'] }, 'Sometimes')).toThrow(/close the comment/);
    expect(() => toC({ ...mp(), name: 'M P' }, 'Sometimes')).toThrow(/has spaces/);
  });
});
