import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enumerate, evalCond, verdictLimitNote, type Outcome } from '../../src/litmus/enumerate.ts';
import { handoff, lb, mp, sb, waitQueue, wrc } from '../../src/litmus/shapes.ts';
import type {
  LExpr,
  LInstr,
  LitmusProc,
  LitmusTest,
  Verdict,
} from '../../src/litmus/types.ts';

/**
 * The kernel memory model's verdicts for these shapes (herd7 with linux-kernel.cat; each was
 * checked with herd7 when this list was drawn up, before the interpreter was written), plus
 * three from the kernel's own tools/memory-model/litmus-tests directory (the last three rows).
 */
const kernelVerdicts: [Verdict, string, LitmusTest][] = [
  ['Sometimes', 'MP without barriers', mp()],
  ['Sometimes', 'MP with smp_wmb only', mp({ writer: 'wmb' })],
  ['Sometimes', 'MP with smp_rmb only', mp({ reader: 'rmb' })],
  ['Never', 'MP with smp_wmb and smp_rmb', mp({ writer: 'wmb', reader: 'rmb' })],
  ['Sometimes', 'SB without barriers', sb()],
  ['Never', 'SB with smp_mb on both sides', sb({ barriers: ['mb', 'mb'] })],
  ['Sometimes', 'SB with smp_mb on one side', sb({ barriers: ['mb', 'none'] })],
  ['Never', 'SB with each access in its own critical section', sb({ locked: true })],
  ['Never', 'the hand-off with smp_wmb and smp_rmb', handoff({ writer: 'wmb', reader: 'rmb' })],
  ['Never', 'the hand-off with smp_wmb and smp_mb', handoff({ writer: 'wmb', reader: 'mb' })],
  ['Sometimes', 'the hand-off with the unlock alone and smp_rmb', handoff({ reader: 'rmb' })],
  ['Sometimes', 'the hand-off with the unlock alone and smp_mb', handoff({ reader: 'mb' })],
  ['Sometimes', 'the hand-off with smp_wmb and nothing in the reader', handoff({ writer: 'wmb' })],
  ['Never', 'the wait-queue registration under the lock', waitQueue()],
  ['Sometimes', 'WRC with smp_wmb in P1', wrc({ middle: 'wmb' })],
  ['Never', 'WRC with smp_mb in P1', wrc({ middle: 'mb' })],
  ['Never', 'WRC with a release store in P1', wrc({ middle: 'release' })],
  ['Sometimes', 'WRC+poonceonces+Once', wrc({ reader: 'none' })],
  ['Never', 'MP+pooncerelease+poacquireonce', mp({ release: true, acquire: true })],
  [
    'Never',
    'LB+fencembonceonce+ctrlonceonce',
    lb({ barriers: ['mb', 'none'], ctrl: [false, true] }),
  ],
];

/** JavaScript's Atomics are sequentially consistent: these outcomes must never appear. */
const jsVerdicts: [string, LitmusTest][] = [
  ['MP with sc accesses', mp({ sc: true })],
  ['SB with sc accesses', sb({ sc: true })],
];

describe('enumerate agrees with the kernel memory model', () => {
  it.each(kernelVerdicts)('gives %s for %s', (kernel, _shape, test) => {
    const result = enumerate(test);

    expect(result.verdict).toBe(kernel);
    expect(result.limitedBy).toBeNull();
  });

  it.each(jsVerdicts)('gives Never for %s, as sequential consistency requires', (_shape, test) => {
    expect(enumerate(test).verdict).toBe('Never');
  });

  it('flags LB without barriers as the documented limit instead of agreeing silently', () => {
    const kernel: Verdict = 'Sometimes';
    const result = enumerate(lb());

    expect(result.verdict).toBe('Never');
    expect(result.verdict).not.toBe(kernel);
    expect(result.limitedBy).toBe('P0 reads x then writes y; P1 reads y then writes x');
    expect(verdictLimitNote).toMatch(/load-buffering \(LB\) outcomes.*never appear/);
  });
});

describe('enumerate', () => {
  it('finds all four outcomes of MP without barriers, by process and register', () => {
    const result = enumerate(mp());
    const seen = result.outcomes.map((o) => `${o.regs[1].r0}${o.regs[1].r1}`);

    expect(seen.sort()).toEqual(['00', '01', '10', '11']);
    expect(result.outcomes.every((o) => o.vars.x === 1 && o.vars.y === 1)).toBe(true);
    expect(result.executions).toBeGreaterThanOrEqual(result.outcomes.length);
    expect(result.states).toBeGreaterThan(0);
  });

  it('gives Always when every final state satisfies the exists clause', () => {
    const test = program([
      [write('x', num(1)), read('r0', 'x')],
    ]);
    const always = { ...test, exists: { k: 'reg', proc: 0, reg: 'r0', value: 1 } as const };

    expect(enumerate(always).verdict).toBe('Always');
  });

  it('reports a deadlock instead of dropping the execution', () => {
    const inverted = program(
      [
        [lock('a'), lock('b'), unlock('b'), unlock('a')],
        [lock('b'), lock('a'), unlock('a'), unlock('b')],
      ],
      ['a', 'b'],
    );
    const relocked = program([[lock('a'), lock('a')]], ['a']);

    expect(() => enumerate(inverted)).toThrow(/deadlock: P0 waits for b, held by P1; P1 waits/);
    expect(() => enumerate(relocked)).toThrow(/deadlock: P0 waits for a, held by P0/);
  });

  it('rejects a program that names an undeclared register, variable or lock', () => {
    const undeclared = program([[read('r9', 'x')]]);
    undeclared.procs[0].regs = [];

    expect(() => enumerate(undeclared)).toThrow(/P0 uses undeclared r9/);
    expect(() => enumerate(program([[write('q', num(1))]]))).toThrow(/undeclared variable q/);
    expect(() => enumerate(program([[lock('m')]]))).toThrow(/undeclared lock m/);
    expect(() => enumerate(program([[unlock('a')]], ['a']))).toThrow(/does not hold/);
  });

  it('evaluates exists clauses with and, or and not', () => {
    const final: Outcome = { regs: [{ r0: 1 }, { r0: 0 }], vars: { x: 2 } };
    const r00 = { k: 'reg', proc: 0, reg: 'r0', value: 1 } as const;
    const x3 = { k: 'var', var: 'x', value: 3 } as const;

    expect(evalCond({ k: 'and', args: [r00, { k: 'not', arg: x3 }] }, final)).toBe(true);
    expect(evalCond({ k: 'or', args: [x3, { k: 'not', arg: r00 }] }, final)).toBe(false);
    expect(() => evalCond({ k: 'reg', proc: 2, reg: 'r0', value: 0 }, final)).toThrow(/2:r0/);
  });
});

describe('enumerate on random programs', () => {
  it('never gains an outcome by adding barriers or stronger accesses', () => {
    fc.assert(
      fc.property(arbProgram, arbStrengthening, (test, edits) => {
        const stronger = strengthen(test, edits);
        const weak = new Set(enumerate(test).outcomes.map((o) => JSON.stringify(o)));
        const strong = enumerate(stronger).outcomes.map((o) => JSON.stringify(o));

        expect(strong.filter((o) => !weak.has(o))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('gives a single process exactly one outcome, that of running it in order', () => {
    fc.assert(
      fc.property(arbSequential, (body) => {
        const test = program([body], ['a']);
        const { outcomes } = enumerate(test);

        expect(outcomes).toEqual([runInOrder(test)]);
      }),
      { numRuns: 150 },
    );
  });
});

const vars = ['x', 'y'];

function num(value: number): LExpr {
  return { k: 'num', value };
}

function read(reg: string, variable: string): LInstr {
  return { k: 'read', reg, var: variable, mode: 'once' };
}

function write(variable: string, expr: LExpr): LInstr {
  return { k: 'write', var: variable, expr, mode: 'once' };
}

function lock(name: string): LInstr {
  return { k: 'lock', lock: name };
}

function unlock(name: string): LInstr {
  return { k: 'unlock', lock: name };
}

/** A test over `x` and `y` whose registers are those its reads and assignments name. */
function program(bodies: LInstr[][], locks: string[] = []): LitmusTest {
  const procs: LitmusProc[] = bodies.map((body) => ({ regs: regsOf(body), body }));
  return {
    name: 'random',
    doc: [],
    vars: vars.map((name) => ({ name, init: 0 })),
    locks,
    procs,
    exists: { k: 'and', args: [] },
  };
}

function regsOf(body: LInstr[]): string[] {
  const regs = new Set<string>();
  const visit = (instrs: LInstr[]): void => {
    for (const i of instrs) {
      if ((i.k === 'read' || i.k === 'assign') && i.reg.startsWith('r')) regs.add(i.reg);
      if (i.k === 'if') [i.then, i.else].forEach(visit);
    }
  };
  visit(body);
  return [...regs].sort();
}

type Step =
  | { k: 'read'; var: string }
  | { k: 'write'; var: string; value: number; fromReg: boolean }
  | { k: 'fence'; fence: 'wmb' | 'rmb' | 'mb' }
  | { k: 'guarded'; var: string };

const arbStep: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant('read' as const), var: fc.constantFrom(...vars) }),
  fc.record({
    k: fc.constant('write' as const),
    var: fc.constantFrom(...vars),
    value: fc.integer({ min: 1, max: 2 }),
    fromReg: fc.boolean(),
  }),
  fc.record({ k: fc.constant('fence' as const), fence: fc.constantFrom('wmb', 'rmb', 'mb') }),
  fc.record({ k: fc.constant('guarded' as const), var: fc.constantFrom(...vars) }),
);

/** Builds a body, naming registers r0, r1, ... in order of the reads. */
function buildBody(steps: Step[]): LInstr[] {
  let regs = 0;
  const last = (): LExpr | null => (regs === 0 ? null : { k: 'reg', name: `r${regs - 1}` });
  return steps.map((step): LInstr => {
    switch (step.k) {
      case 'read':
        return read(`r${regs++}`, step.var);
      case 'write': {
        const reg = last();
        const value = num(step.value);
        const expr: LExpr =
          step.fromReg && reg ? { k: 'bin', op: '+', left: reg, right: value } : value;
        return write(step.var, expr);
      }
      case 'fence':
        return { k: 'fence', fence: step.fence };
      case 'guarded': {
        const reg = last();
        const guarded = write(step.var, num(1));
        if (reg === null) return guarded;
        const cond: LExpr = { k: 'bin', op: '==', left: reg, right: num(1) };
        return { k: 'if', cond, then: [guarded], else: [] };
      }
    }
  });
}

const arbProgram: fc.Arbitrary<LitmusTest> = fc
  .array(fc.array(arbStep, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 })
  .map((procs) => program(procs.map(buildBody)));

type Edit =
  | { k: 'fence'; proc: number; at: number; fence: 'wmb' | 'rmb' | 'mb' }
  | { k: 'upgrade'; proc: number; at: number; sc: boolean };

const arbStrengthening: fc.Arbitrary<Edit[]> = fc.array(
  fc.oneof(
    fc.record({
      k: fc.constant('fence' as const),
      proc: fc.nat(2),
      at: fc.nat(3),
      fence: fc.constantFrom('wmb', 'rmb', 'mb'),
    }),
    fc.record({
      k: fc.constant('upgrade' as const),
      proc: fc.nat(2),
      at: fc.nat(3),
      sc: fc.boolean(),
    }),
  ),
  { minLength: 1, maxLength: 3 },
);

/** Inserts fences and turns plain accesses into acquire, release or sc ones. */
function strengthen(test: LitmusTest, edits: Edit[]): LitmusTest {
  const bodies = test.procs.map((p) => [...p.body]);
  for (const edit of edits) {
    const body = bodies[edit.proc % bodies.length];
    const at = edit.at % (body.length + 1);
    if (edit.k === 'fence') {
      body.splice(at, 0, { k: 'fence', fence: edit.fence });
      continue;
    }
    const index = at % body.length;
    const instr = body[index];
    if (instr.k === 'read') body[index] = { ...instr, mode: edit.sc ? 'sc' : 'acquire' };
    if (instr.k === 'write') body[index] = { ...instr, mode: edit.sc ? 'sc' : 'release' };
  }
  return { ...test, procs: test.procs.map((p, i) => ({ ...p, body: bodies[i] })) };
}

const arbSequential: fc.Arbitrary<LInstr[]> = fc
  .tuple(
    fc.array(arbStep, { minLength: 1, maxLength: 6 }),
    fc.option(fc.tuple(fc.nat(6), fc.nat(6))),
    fc.integer({ min: -2, max: 2 }),
  )
  .map(([steps, section, bump]) => {
    const sum: LExpr = { k: 'bin', op: '-', left: num(bump), right: num(1) };
    const body = [
      ...buildBody(steps),
      { k: 'assign', reg: 'rsum', expr: sum } as const,
      write('y', { k: 'bin', op: '+', left: { k: 'reg', name: 'rsum' }, right: num(1) }),
    ];
    if (section === null) return body;
    const ends = section.map((i) => i % (body.length + 1));
    const [from, to] = [Math.min(...ends), Math.max(...ends)];
    const inside = body.slice(from, to);
    return [...body.slice(0, from), lock('a'), ...inside, unlock('a'), ...body.slice(to)];
  });

/** The reference semantics of one process: run it in order against plain memory. */
function runInOrder(test: LitmusTest): Outcome {
  const memory: Record<string, number> = Object.fromEntries(
    test.vars.map((v) => [v.name, v.init]),
  );
  const proc = test.procs[0];
  const regs: Record<string, number> = Object.fromEntries(proc.regs.map((r) => [r, 0]));
  const value = (e: LExpr): number => {
    if (e.k === 'num') return e.value;
    if (e.k === 'reg') return regs[e.name];
    if (e.k === 'not') return value(e.arg) === 0 ? 1 : 0;
    const [l, r] = [value(e.left), value(e.right)];
    const ops: Record<string, number> = {
      '+': l + r,
      '-': l - r,
      '==': Number(l === r),
      '!=': Number(l !== r),
    };
    if (!(e.op in ops)) throw new Error(`the generator makes no ${e.op}`);
    return ops[e.op];
  };
  const run = (instrs: LInstr[]): void => {
    for (const i of instrs) {
      if (i.k === 'read') regs[i.reg] = memory[i.var];
      else if (i.k === 'write') memory[i.var] = value(i.expr);
      else if (i.k === 'assign') regs[i.reg] = value(i.expr);
      else if (i.k === 'if') run(value(i.cond) !== 0 ? i.then : i.else);
    }
  };
  run(proc.body);
  return { regs: [regs], vars: memory };
}
