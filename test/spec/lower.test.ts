import { describe, expect, it } from 'vitest';
import type { Stmt } from '../../src/ir.ts';
import { parseSpec } from '../../src/spec/load.ts';
import { expectRejectedAt, mempoolText, replaceOnce } from './helpers.ts';

const destroyLoop = '  while curr_nr != 0 {\n    # void *element = remove_element(pool);\n' +
  '    e = remove_element()\n    # pool->free(element, pool->pool_data);\n    free_fn(e)\n  }\n';

function opBody(text: string, name: string): Stmt[] {
  return parseSpec(text, 'x.mps').ops.find((o) => o.name === name)!.body;
}

describe('lowering', () => {
  it('turns while into a loop that reads the condition again and breaks when it fails', () => {
    const [, loop] = opBody(mempoolText, 'destroy');
    expect(loop).toMatchObject({
      k: 'loop',
      body: [
        { k: 'read', into: 'curr_nr_1', var: 'curr_nr' },
        {
          k: 'if',
          cond: { k: 'not', arg: { k: 'bin', op: '!=', left: { k: 'local', name: 'curr_nr_1' } } },
          then: [{ k: 'break' }],
          else: [],
        },
        { k: 'remove_element', into: 'e' },
        { k: 'backing_free', expr: { k: 'local', name: 'e' } },
      ],
    });
  });

  it('reads a variable once per mention, left to right', () => {
    const text = replaceOnce(mempoolText, destroyLoop, '  x = curr_nr + curr_nr * min_nr\n');
    const [, a, b, c, assign] = opBody(text, 'destroy');
    expect([a, b, c].map((s) => s.k === 'read' && [s.var, s.into])).toEqual([
      ['curr_nr', 'curr_nr_1'],
      ['curr_nr', 'curr_nr_2'],
      ['min_nr', 'min_nr_1'],
    ]);
    expect(assign).toMatchObject({ k: 'let', name: 'x' });
  });

  it('never gives a read local the name of a local the source assigns', () => {
    const text = replaceOnce(mempoolText, destroyLoop, '  curr_nr_1 = 5\n  x = curr_nr\n');
    const ops = parseSpec(text, 'x.mps').ops.find((o) => o.name === 'destroy')!;
    expect(ops.locals.map((l) => l.name)).toEqual(['curr_nr_1', 'curr_nr_2', 'x']);
  });

  it('gives a statement label to its reads and its own step', () => {
    const text = replaceOnce(mempoolText, destroyLoop, '  min_nr = curr_nr @shrink\n');
    const [, read, write] = opBody(text, 'destroy');
    expect(read).toMatchObject({ k: 'read', var: 'curr_nr', label: 'shrink' });
    expect(write).toMatchObject({ k: 'write', var: 'min_nr', label: 'shrink' });
  });

  it('lets ghost updates and invariants read shared state directly', () => {
    const ir = parseSpec(mempoolText, 'x.mps');
    const create = ir.ops.find((o) => o.name === 'create')!;
    expect(create.body.at(-2)).toMatchObject({
      k: 'ghost',
      name: 'floor',
      expr: { k: 'shared', name: 'min_nr' },
    });
  });
});

interface Case {
  title: string;
  to: string;
  code: string;
  marker: string;
}

// Each case replaces the body of destroy's loop, an exclusive operation, so that only the
// check under test can fail.
const cases: Case[] = [
  {
    title: 'a condition that is not a bool',
    to: '  if curr_nr {\n  }\n',
    code: 'type-mismatch',
    marker: 'curr_nr {',
  },
  {
    title: 'arithmetic on a bool',
    to: '  x = true + 1\n',
    code: 'type-mismatch',
    marker: 'true + 1',
  },
  {
    title: 'an element compared with an int',
    to: '  e = remove_element()\n  if e == 0 {\n  }\n',
    code: 'type-mismatch',
    marker: '0 {',
  },
  {
    title: 'a local that changes type',
    to: '  x = 1\n  x = null\n',
    code: 'type-mismatch',
    marker: 'null',
  },
  {
    title: 'an int freed as an element',
    to: '  free_fn(1)\n',
    code: 'type-mismatch',
    marker: '1)',
  },
  {
    title: 'a ghost read by the pool code',
    to: '  x = allocated\n',
    code: 'misplaced',
    marker: 'allocated\n',
  },
  {
    title: 'waiters() read by the pool code',
    to: '  x = waiters(pool.wait)\n',
    code: 'misplaced',
    marker: 'waiters(',
  },
  {
    title: 'an assignment to a ghost without `ghost`',
    to: '  floor = 1\n',
    code: 'misplaced',
    marker: 'floor = 1',
  },
  {
    title: 'an assignment to a spec parameter',
    to: '  capacity = 1\n',
    code: 'misplaced',
    marker: 'capacity = 1',
  },
  {
    title: 'break outside a loop',
    to: '  break\n',
    code: 'misplaced',
    marker: 'break',
  },
  {
    title: 'a value returned from a void operation',
    to: '  return 1\n',
    code: 'misplaced',
    marker: '1\n}',
  },
  {
    title: 'a local used before it is assigned',
    to: '  x = y\n',
    code: 'unknown-name',
    marker: 'y\n',
  },
  {
    title: 'min() with one argument',
    to: '  x = min(1)\n',
    code: 'wrong-arity',
    marker: 'min(1)',
  },
];

describe('lowering rejects', () => {
  for (const { title, to, code, marker } of cases) {
    it(title, () => {
      const text = replaceOnce(mempoolText, destroyLoop, to);
      expectRejectedAt(text, code, marker, 'op destroy');
    });
  }

  it('a parameter declared twice', () => {
    const text = replaceOnce(mempoolText, 'op free(e: elem)', 'op free(e: elem, e: int)');
    expectRejectedAt(text, 'duplicate-name', 'e: int');
  });

  it('return without a value in an operation that has a result', () => {
    const text = replaceOnce(mempoolText, '      return null\n', '      return\n');
    expectRejectedAt(text, 'misplaced', 'return\n', 'if !may_wait');
  });
});
