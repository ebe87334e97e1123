import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/litmus/enumerate.ts';
import { handoff, lb, mp, sb, waitQueue, wrc, type Barrier } from '../../src/litmus/shapes.ts';
import type { LCond, LExpr, LInstr, LitmusTest } from '../../src/litmus/types.ts';

const barrier = fc.constantFrom<Barrier>('none', 'wmb', 'rmb', 'mb');
const pair = fc.tuple(barrier, barrier);

const arbShape: fc.Arbitrary<LitmusTest> = fc.oneof(
  fc
    .record({ writer: barrier, reader: barrier, release: fc.boolean(), acquire: fc.boolean() })
    .map(mp),
  fc.record({ sc: fc.boolean() }).map(mp),
  fc.record({ barriers: pair, sc: fc.boolean(), locked: fc.boolean() }).map(sb),
  fc.record({ barriers: pair, ctrl: fc.tuple(fc.boolean(), fc.boolean()) }).map(lb),
  fc
    .record({ middle: fc.constantFrom('none', 'wmb', 'mb', 'release' as const), reader: barrier })
    .map(wrc),
  fc.record({ writer: barrier, reader: barrier }).map(handoff),
  fc
    .record({
      registration: fc.constantFrom('under-lock', 'after-unlock' as const),
      waiter: barrier,
      waker: barrier,
    })
    .map(waitQueue),
);

/** Every instruction of a body, branches included. */
function flat(body: readonly LInstr[]): LInstr[] {
  return body.flatMap((i) => (i.k === 'if' ? [i, ...flat(i.then), ...flat(i.else)] : [i]));
}

function regsIn(expr: LExpr): string[] {
  if (expr.k === 'reg') return [expr.name];
  if (expr.k === 'bin') return [...regsIn(expr.left), ...regsIn(expr.right)];
  if (expr.k === 'not') return regsIn(expr.arg);
  return [];
}

function condAtoms(cond: LCond): LCond[] {
  if (cond.k === 'and' || cond.k === 'or') return cond.args.flatMap(condAtoms);
  if (cond.k === 'not') return condAtoms(cond.arg);
  return [cond];
}

describe('the litmus shapes', () => {
  it('declare exactly the variables and locks their processes use, and every register', () => {
    fc.assert(
      fc.property(arbShape, (test) => {
        const instrs = test.procs.flatMap((p) => flat(p.body));
        const usedVars = new Set(
          instrs.flatMap((i) => (i.k === 'read' || i.k === 'write' ? [i.var] : [])),
        );
        const usedLocks = new Set(instrs.flatMap((i) => (i.k === 'lock' ? [i.lock] : [])));

        expect(new Set(test.vars.map((v) => v.name))).toEqual(usedVars);
        expect(new Set(test.locks)).toEqual(usedLocks);
        test.procs.forEach((proc) => {
          const named = flat(proc.body).flatMap((i) => {
            if (i.k === 'read') return [i.reg];
            if (i.k === 'assign') return [i.reg, ...regsIn(i.expr)];
            if (i.k === 'write') return regsIn(i.expr);
            return i.k === 'if' ? regsIn(i.cond) : [];
          });
          for (const reg of named) expect(proc.regs).toContain(reg);
        });
        for (const atom of condAtoms(test.exists)) {
          if (atom.k === 'reg') expect(test.procs[atom.proc].regs).toContain(atom.reg);
          if (atom.k === 'var') expect(usedVars.has(atom.var)).toBe(true);
        }
        expect(() => enumerate(test)).not.toThrow();
      }),
      { numRuns: 80 },
    );
  });

  it('are named in the kernel convention', () => {
    expect(mp().name).toBe('MP+poonceonces');
    expect(mp({ writer: 'wmb', reader: 'rmb' }).name).toBe('MP+fencewmbonceonce+fencermbonceonce');
    expect(sb({ barriers: ['mb', 'mb'] }).name).toBe('SB+fencembonceonces');
    expect(lb().name).toBe('LB+poonceonces');
    expect(wrc({ middle: 'release' }).name).toBe('WRC+pooncerelease+fencermbonceonce+Once');
    expect(handoff({ writer: 'wmb', reader: 'rmb' }).name).toBe('mempool-handoff+wmb+rmb');
    expect(handoff({ reader: 'mb' }).name).toBe('mempool-handoff+po+mb');
  });

  it('put the hand-off writer barrier after the unlock and before the element is published', () => {
    const kinds = handoff({ writer: 'wmb' }).procs[0].body.map((i) =>
      i.k === 'fence' ? i.fence : i.k === 'write' || i.k === 'read' ? `${i.k} ${i.var}` : i.k,
    );

    expect(kinds).toEqual(['lock', 'read curr_nr', 'write curr_nr', 'unlock', 'wmb', 'write p']);
  });

  it('register the waiter inside the critical section only under-lock', () => {
    const marksInside = (test: LitmusTest): boolean => {
      const body = test.procs[0].body;
      const unlockAt = body.findIndex((i) => i.k === 'unlock');
      const markAt = body.findIndex((i) => flat([i]).some((j) => j.k === 'write'));
      return markAt < unlockAt;
    };

    expect(marksInside(waitQueue())).toBe(true);
    expect(marksInside(waitQueue({ registration: 'after-unlock' }))).toBe(false);
  });

  it('make every access sc in the JavaScript variants', () => {
    for (const test of [mp({ sc: true }), sb({ sc: true })]) {
      const accesses = test.procs.flatMap((p) => p.body).filter((i) => i.k !== 'fence');
      const modes = accesses.map((i) => (i.k === 'read' || i.k === 'write' ? i.mode : i.k));
      expect(new Set(modes)).toEqual(new Set(['sc']));
    }
  });
});
