import { describe, expect, it } from 'vitest';
import type { SpecIR } from '../../src/ir.ts';
import { toC } from '../../src/litmus/c.ts';
import { compileLitmus, compileScenario, type CompiledLitmus } from '../../src/litmus/compile.ts';
import { enumerate, evalCond } from '../../src/litmus/enumerate.ts';
import { handoff } from '../../src/litmus/shapes.ts';
import type { LExpr, LInstr, LitmusProc, LitmusTest } from '../../src/litmus/types.ts';
import { loadSpec } from '../../src/spec/load.ts';
import { mempoolIr, mempoolPreFixIr } from '../fixtures/ir/mempool.ts';

const specs: [string, SpecIR][] = [
  ['the hand-written IR', mempoolIr],
  ['spec/mempool.mps', loadSpec('spec/mempool.mps')],
];

/** The accesses, barriers and lock operations on one path, registers shown as what they hold. */
function pathEvents(body: readonly LInstr[], holds = new Map<string, string>()): string[] {
  const show = (e: LExpr): string =>
    e.k === 'num' ? String(e.value)
    : e.k === 'reg' ? (holds.get(e.name) ?? e.name)
    : e.k === 'not' ? `!${show(e.arg)}`
    : `${show(e.left)}${e.op}${show(e.right)}`;
  const events: string[] = [];
  for (const instr of body) {
    switch (instr.k) {
      case 'read':
        holds.set(instr.reg, instr.var);
        events.push(`read ${instr.var}`);
        break;
      case 'write':
        events.push(`write ${instr.var} ${show(instr.expr)}`);
        break;
      case 'assign':
        holds.set(instr.reg, show(instr.expr));
        break;
      case 'fence':
        events.push(`fence ${instr.fence}`);
        break;
      case 'lock':
      case 'unlock':
        events.push(`${instr.k} ${instr.lock}`);
        break;
      case 'if':
        // The path through every `then`: the element is taken, seen, refilled.
        return [...events, ...pathEvents(instr.then, holds)];
    }
  }
  return events;
}

function firstRead(body: readonly LInstr[], variable: string): string | undefined {
  for (const instr of body) {
    if (instr.k === 'read' && instr.var === variable) return instr.reg;
    if (instr.k === 'if') {
      const found = firstRead(instr.then, variable) ?? firstRead(instr.else, variable);
      if (found) return found;
    }
  }
  return undefined;
}

function find(compiled: CompiledLitmus[], edge: string, removed: string[]): LitmusTest {
  const match = compiled.find((c) => c.edge === edge &&
    JSON.stringify(c.removed) === JSON.stringify(removed));
  if (!match) throw new Error(`no test for ${edge} without ${removed.join(', ')}`);
  return match.test;
}

/** Every path through a body, as the straight-line instructions it runs. */
function paths(body: readonly LInstr[]): LInstr[][] {
  const i = body.findIndex((instr) => instr.k === 'if');
  if (i < 0) return [[...body]];
  const branch = body[i] as Extract<LInstr, { k: 'if' }>;
  const rest = paths(body.slice(i + 1));
  return [...paths(branch.then), ...paths(branch.else)]
    .flatMap((head) => rest.map((tail) => [...body.slice(0, i), ...head, ...tail]));
}

/** Whether `lock` is held at the writes of `variable`: [true], [false] or both, over all paths. */
function lockedAtWrites(body: readonly LInstr[], variable: string, lock: string): boolean[] {
  return [...new Set(paths(body).flatMap((path) => {
    let held = false;
    return path.flatMap((instr) => {
      if (instr.k === 'lock' && instr.lock === lock) held = true;
      if (instr.k === 'unlock' && instr.lock === lock) held = false;
      return instr.k === 'write' && instr.var === variable ? [held] : [];
    });
  }))];
}

function instrs(proc: LitmusProc): LInstr[] {
  const all: LInstr[] = [];
  const visit = (body: readonly LInstr[]): void => body.forEach((i) => {
    all.push(i);
    if (i.k === 'if') [i.then, i.else].forEach(visit);
  });
  visit(proc.body);
  return all;
}

describe.each(specs)('compileLitmus on %s', (_, ir) => {
  const compiled = compileLitmus(ir);
  const verdict = (test: LitmusTest) => enumerate(test).verdict;

  it('compiles every scenario once and every edge with one test per removable barrier', () => {
    expect(compiled.map((c) => [c.kind, c.scenario, c.edge ?? '', c.removed, c.expect])).toEqual([
      ['scenario', 'handoff', '', [], 'never'],
      ['scenario', 'waiter_vs_refill', '', [], 'never'],
      ['scenario', 'reserve_exhausted', '', [], 'never'],
      ['scenario', 'shrink_vs_free', '', [], 'never'],
      ['edge', 'handoff', 'reserve_handoff', [], 'never'],
      ['edge', 'handoff', 'reserve_handoff', ['wmb'], 'sometimes'],
      ['edge', 'handoff', 'reserve_handoff', ['rmb'], 'sometimes'],
      ['edge', 'waiter_vs_refill', 'wait_registration', [], 'never'],
      ['edge', 'waiter_vs_refill', 'wait_registration', ['lock'], 'sometimes'],
    ]);
  });

  it('gives the hand-off the accesses, barriers and exists of the kernel example', () => {
    const test = find(compiled, 'reserve_handoff', []);
    const example = handoff({ writer: 'wmb', reader: 'rmb' });
    expect(pathEvents(test.procs[0].body)).toEqual(pathEvents(example.procs[0].body));
    expect(pathEvents(test.procs[1].body).slice(0, 3)).toEqual(pathEvents(example.procs[1].body));
    expect(test.vars.find((v) => v.name === 'curr_nr')?.init).toBe(1);
  });

  it("states the hand-off's outcome exactly when the free read curr_nr stale", () => {
    for (const removed of [[], ['wmb'], ['rmb']]) {
      const test = find(compiled, 'reserve_handoff', removed);
      const stale = firstRead(test.procs[1].body, 'curr_nr')!;
      for (const outcome of enumerate(test).outcomes) {
        const sawStale = outcome.regs[1].r1 === 1 && outcome.regs[1][stale] === 1;
        expect(evalCond(test.exists, outcome)).toBe(sawStale);
      }
    }
  });

  it('judges the hand-off as the kernel example: Never, Sometimes without wmb or rmb', () => {
    expect(verdict(find(compiled, 'reserve_handoff', []))).toBe('Never');
    expect(verdict(find(compiled, 'reserve_handoff', ['wmb']))).toBe('Sometimes');
    expect(verdict(find(compiled, 'reserve_handoff', ['rmb']))).toBe('Sometimes');
    const reference = [['wmb', 'rmb'], ['none', 'rmb'], ['wmb', 'none']] as const;
    expect(reference.map(([writer, reader]) => verdict(handoff({ writer, reader }))))
      .toEqual(['Never', 'Sometimes', 'Sometimes']);
  });

  it('judges the waiter against the refill Never, and Sometimes with the join out of the lock', () => {
    const kept = find(compiled, 'wait_registration', []);
    const moved = find(compiled, 'wait_registration', ['lock']);
    expect(verdict(kept)).toBe('Never');
    expect(verdict(moved)).toBe('Sometimes');
    expect(lockedAtWrites(kept.procs[0].body, 'pool_wait', 'pool_lock')).toEqual([true]);
    expect(lockedAtWrites(moved.procs[0].body, 'pool_wait', 'pool_lock')).toEqual([false]);
  });

  it('gives every scenario test the verdict its scenario expects', () => {
    for (const c of compiled.filter((c) => c.removed.length === 0)) {
      expect([c.test.name, verdict(c.test)]).toEqual([c.test.name, 'Never']);
    }
  });

  it('prints every test: toC accepts each process body', () => {
    for (const { test } of compiled) {
      // 'Sometimes' asks toC only whether it can print the program, not whether to trust it.
      expect(() => toC(test, 'Sometimes')).not.toThrow();
      expect(test.procs.every((p) => p.body.length > 0)).toBe(true);
    }
  });

  it('declares each register once, uses only declared names and keeps clear of variables', () => {
    for (const { test } of compiled) {
      const shared = new Set([...test.vars.map((v) => v.name), ...test.locks]);
      for (const proc of test.procs) {
        expect(new Set(proc.regs).size).toBe(proc.regs.length);
        expect(proc.regs.filter((r) => shared.has(r))).toEqual([]);
        for (const i of instrs(proc)) {
          if (i.k === 'read' || i.k === 'assign') expect(proc.regs).toContain(i.reg);
          if (i.k === 'read' || i.k === 'write') expect(shared).toContain(i.var);
          if (i.k === 'lock' || i.k === 'unlock') expect(test.locks).toContain(i.lock);
        }
      }
    }
  });

  it('names the tests in the kernel convention, distinctly, in ASCII', () => {
    const names = compiled.map((c) => c.test.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^mempool-[A-Za-z0-9+_.-]+$/);
    expect(names[0]).toMatch(/^mempool-handoff\+/);
    expect(find(compiled, 'reserve_handoff', ['wmb']).name).toMatch(/^mempool-reserve-handoff-no-wmb\+/);
  });

  it('marks the variables the edges protect', () => {
    for (const c of compiled) expect(c.protectedVars).toEqual(['curr_nr', 'pool_wait']);
  });

  it('compiles deterministically', () => {
    expect(compileLitmus(structuredClone(ir))).toEqual(compiled);
  });
});

describe('compileLitmus on the mempool before commit 5b990546', () => {
  const compiled = compileLitmus(mempoolPreFixIr);

  it('ablates only the reader side of an edge whose writer barrier is the unlock', () => {
    expect(compiled.filter((c) => c.kind === 'edge').map((c) => c.removed)).toEqual([[], ['mb']]);
    expect(compiled[1].test.doc.join(' ')).toContain('cannot be taken out');
  });

  it('finds the stale read the commit fixed: the unlock alone does not order the hand-off', () => {
    expect(enumerate(compiled[0].test).verdict).toBe('Sometimes');
  });
});

describe('compileScenario', () => {
  const handoffScenario = mempoolIr.scenarios[0];

  it('folds only what a first translation shows: the plain translation keeps every read', () => {
    const plain = compileScenario(mempoolIr, handoffScenario, { fold: false });
    const folded = compileScenario(mempoolIr, handoffScenario);
    const reads = (t: LitmusTest) => t.procs.flatMap(instrs).filter((i) => i.k === 'read').length;
    expect(reads(plain)).toBeGreaterThan(reads(folded));
    expect(enumerate(plain).verdict).toBe(enumerate(folded).verdict);
  });

  it('starts the pool as create leaves it, then applies the start state', () => {
    const shrink = compileScenario(mempoolIr, mempoolIr.scenarios[3]);
    const init = Object.fromEntries(shrink.vars.map((v) => [v.name, v.init]));
    expect(init).toMatchObject({ curr_nr: 1, min_nr: 2, backing: 0 });
  });

  it('refuses an outcome over a ghost, which no litmus program holds', () => {
    const ghostly = { ...handoffScenario, outcome: { k: 'var' as const, var: 'allocated', value: 0 } };
    expect(() => compileScenario(mempoolIr, ghostly)).toThrow(/ghost allocated/);
  });

  it('refuses an ablation the scenario never reaches', () => {
    const ablation = { kind: 'drop-fence' as const, at: { op: 'alloc', label: 'wmb' } };
    const waiterless = mempoolIr.scenarios[3];
    expect(() => compileScenario(mempoolIr, waiterless, { ablation })).toThrow(/never reaches/);
  });

  it('refuses an edge whose label names no fence', () => {
    const broken: SpecIR = {
      ...mempoolIr,
      edges: [{ ...mempoolIr.edges[0], from: { barrier: 'wmb', at: { op: 'alloc', label: 'take' } } }],
    } as SpecIR;
    expect(() => compileLitmus(broken)).toThrow(/is not an smp_wmb/);
  });
});
