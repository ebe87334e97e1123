import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec/load.ts';
import { itRejects, mempoolText, replaceOnce, type RejectionCase } from './helpers.ts';

const handoffParams = 'params min_nr = 1, capacity = 0, threads = 2, ops = 2\n  shared p = 0';
const withParams = (params: string) => `params ${params}\n  shared p = 0`;
const handoffOutcome = 'never T1.r1 == 1 && curr_nr == 0';
const t0Body = '    r0 = alloc(false)\n    if r0 != 0 {\n      WRITE_ONCE(p, 1)\n    }\n';

const cases: RejectionCase[] = [
  {
    title: 'a scenario that gives no value to a spec parameter, at the scenario name',
    edits: [[handoffParams, withParams('min_nr = 1, threads = 2, ops = 2')]],
    code: 'missing-param-value',
    marker: 'handoff\n  "The commit',
  },
  {
    title: 'a parameter value above its declared range',
    edits: [[handoffParams, withParams('min_nr = 3, capacity = 0, threads = 2, ops = 2')]],
    code: 'param-out-of-range',
    marker: 'min_nr = 3',
  },
  {
    title: 'a parameter value below its declared range',
    edits: [[handoffParams, withParams('min_nr = 1, capacity = -1, threads = 2, ops = 2')]],
    code: 'param-out-of-range',
    marker: 'capacity = -1',
  },
  {
    title: 'a value for a parameter the spec does not have',
    edits: [
      [
        handoffParams,
        withParams('min_nr = 1, capacity = 0, threads = 2, ops = 2, cpus = 2'),
      ],
    ],
    code: 'unknown-name',
    marker: 'cpus',
  },
  {
    title: 'a parameter given twice',
    edits: [
      [
        handoffParams,
        withParams('min_nr = 1, capacity = 0, threads = 2, ops = 2\n  params ops = 3'),
      ],
    ],
    code: 'duplicate-name',
    marker: 'ops = 3',
  },
  {
    title: 'a start value for something that is not pool state',
    edits: [['start curr_nr = 0, allocated = 1', 'start curr_nr = 0, handed_out = 1']],
    code: 'unknown-name',
    marker: 'handed_out',
  },
  {
    title: 'a client variable named like a pool variable',
    edits: [['  shared p = 0', '  shared curr_nr = 0']],
    code: 'duplicate-name',
    marker: 'curr_nr = 0\n  thread',
  },
  {
    title: 'an outcome naming an unknown thread',
    edits: [[handoffOutcome, 'never T2.r1 == 1 && curr_nr == 0']],
    code: 'unknown-outcome-name',
    marker: 'T2',
  },
  {
    title: 'an outcome naming a register the thread does not have',
    edits: [[handoffOutcome, 'never T1.r0 == 1 && curr_nr == 0']],
    code: 'unknown-outcome-name',
    marker: 'r0 == 1',
  },
  {
    title: 'an outcome naming an unknown variable',
    edits: [[handoffOutcome, 'never T1.r1 == 1 && cur_nr == 0']],
    code: 'unknown-outcome-name',
    marker: 'cur_nr',
  },
  {
    title: 'an outcome naming an unknown wait queue',
    edits: [['never waiters(pool.wait) == 1', 'never waiters(pool.queue) == 1']],
    code: 'unknown-outcome-name',
    marker: 'pool.queue',
  },
  {
    title: 'a scenario with two outcomes',
    edits: [[handoffOutcome, `${handoffOutcome}\n  sometimes curr_nr == 1`]],
    code: 'bad-scenario',
    marker: 'sometimes curr_nr',
  },
  {
    title: 'a scenario without an outcome',
    edits: [[`  ${handoffOutcome}\n`, '']],
    code: 'bad-scenario',
    marker: 'handoff\n  "The commit',
  },
  {
    title: 'a call of an unknown operation',
    edits: [[t0Body, '    r0 = malloc(false)\n']],
    code: 'unknown-name',
    marker: 'malloc(false)',
  },
  {
    title: 'a call of an exclusive operation',
    edits: [[t0Body, '    destroy()\n']],
    code: 'misplaced',
    marker: 'destroy()\n',
  },
  {
    title: 'a call with the wrong number of arguments',
    edits: [[t0Body, '    r0 = alloc(false, 1)\n']],
    code: 'wrong-arity',
    marker: 'r0 = alloc(false, 1)',
  },
  {
    title: 'a register assigned from an operation that returns nothing',
    edits: [['      free(r1)', '      r2 = free(r1)']],
    code: 'misplaced',
    marker: 'r2 = free',
  },
  {
    title: 'a register used before it is assigned',
    edits: [[t0Body, '    free(r9)\n']],
    code: 'unknown-name',
    marker: 'r9',
  },
  {
    title: 'a read of a client variable the scenario does not declare',
    edits: [['r1 = READ_ONCE(p)', 'r1 = READ_ONCE(q)']],
    code: 'unknown-name',
    marker: 'q)',
  },
];

describe('resolving scenarios rejects', () => {
  itRejects(mempoolText, cases);
});

describe('resolving scenarios', () => {
  it('lets a shared line follow the threads that use it', () => {
    const text = replaceOnce(
      replaceOnce(mempoolText, handoffParams, handoffParams.replace('\n  shared p = 0', '')),
      `  ${handoffOutcome}`,
      `  shared p = 0\n  ${handoffOutcome}`,
    );
    const handoff = parseSpec(text, 'x.mps').scenarios.find((s) => s.name === 'handoff');
    expect(handoff?.shared).toEqual([{ name: 'p', init: 0 }]);
  });

  it('turns != in an outcome into the negation of ==', () => {
    const ir = parseSpec(mempoolText, 'x.mps');
    const exhausted = ir.scenarios.find((s) => s.name === 'reserve_exhausted');
    expect(exhausted?.outcome).toEqual({
      k: 'or',
      args: [
        {
          k: 'and',
          args: [
            { k: 'reg', thread: 0, reg: 'r0', value: 0 },
            { k: 'reg', thread: 1, reg: 'r1', value: 0 },
          ],
        },
        {
          k: 'and',
          args: [
            { k: 'not', arg: { k: 'reg', thread: 0, reg: 'r0', value: 0 } },
            { k: 'not', arg: { k: 'reg', thread: 1, reg: 'r1', value: 0 } },
          ],
        },
      ],
    });
  });
});
