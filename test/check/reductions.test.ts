import { describe, expect, it } from 'vitest';
import { withoutEdges } from '../../src/check/ablate.ts';
import { CoverSet, Hash64 } from '../../src/check/hash.ts';
import { stateHash } from '../../src/check/keys.ts';
import { Machine } from '../../src/check/machine.ts';
import { latestValue } from '../../src/check/memory.ts';
import { compileOps } from '../../src/check/program.ts';
import { Judge } from '../../src/check/properties.ts';
import { outCount, type State } from '../../src/check/state.ts';
import type { SpecIR } from '../../src/ir.ts';
import { loadSpec } from '../../src/spec/load.ts';

/**
 * The state key's reductions (merged messages, dead views, memory roles, calls-left
 * subsumption, symmetry) against a search that tells states apart by everything they hold.
 * Neither stops at a violation: both must find the same broken properties and the same
 * observable states (newest values, ghosts, reserve, elements out, where the threads are).
 */

interface Reached {
  states: number;
  properties: Set<string>;
  observed: Set<string>;
}

function everything(s: State): string {
  const m = s.mem;
  return JSON.stringify([s.threads, m.messages, m.threads, m.locks, m.global, s.reserve,
    s.ghosts, s.out, s.woke, s.destroyed]);
}

function observable(s: State): string {
  const values = s.mem.layout.vars.map((_, x) => latestValue(s.mem, x));
  const places = s.threads.map((t) => (t.op < 0 && t.status !== 1 ? `idle/${t.regs.length}`
    : `${t.op}/${t.pc}/${t.status}/${t.queue}/${t.regs.length}`)).sort();
  return `${values}|${s.ghosts}|${s.reserve.length}|${outCount(s.out)}|${s.destroyed}|${places}`;
}

function explore(ir: SpecIR, params: Record<string, number>, reduced: boolean): Reached {
  const machine = new Machine(ir, compileOps(ir), params, { kind: 'ranges',
    threads: params.threads, ops: params.ops, intRange: [1, 2] }, { sc: false });
  const judge = new Judge(machine);
  const reached: Reached = { states: 0, properties: new Set(), observed: new Set() };
  const initial = machine.initial();
  if (!initial) return reached;
  const plain = new Set<string>();
  const covered = new CoverSet();
  const h = new Hash64();
  const fresh = (s: State): boolean => {
    if (!reduced) {
      const key = everything(s);
      if (plain.has(key)) return false;
      plain.add(key);
      return true;
    }
    const calls = stateHash(s, machine.keyContext, h);
    return covered.add(h.lo, h.hi, calls);
  };
  fresh(initial);
  let frontier = [initial];
  while (frontier.length > 0) {
    const next: State[] = [];
    for (const s of frontier) {
      reached.states++;
      reached.observed.add(observable(s));
      const broken = judge.checkState(s);
      if (broken) {
        reached.properties.add(broken.property);
        continue;
      }
      const { successors, quiescent } = machine.expand(s, false);
      if (quiescent) {
        const v = judge.checkQuiescent(s);
        if (v) reached.properties.add(v.property);
      }
      for (const { state } of successors) {
        if (state.violation) reached.properties.add(state.violation.property);
        else if (fresh(state)) next.push(state);
      }
    }
    frontier = next;
  }
  return reached;
}

const kernel = loadSpec('spec/mempool.mps');
const specs: [string, SpecIR][] = [
  ['spec/mempool.mps', kernel],
  ['the fixed variant', loadSpec('spec/variants/mempool-fixed.mps')],
  ['the pre-5b990546 variant', loadSpec('spec/variants/mempool-pre-5b990546.mps')],
  ['spec/mempool.mps --without reserve_handoff', withoutEdges(kernel, ['reserve_handoff'])],
];

describe('the reduced state key', () => {
  it.each(specs)('finds what a search without reductions finds, in %s', (_, ir) => {
    for (const min_nr of [0, 1, 2]) {
      const params = { min_nr, capacity: 1, threads: 2, ops: 2 };
      const full = explore(ir, params, false);
      const reduced = explore(ir, params, true);
      expect(reduced.states).toBeLessThan(full.states);
      expect([...reduced.properties].sort()).toEqual([...full.properties].sort());
      expect([...reduced.observed].sort()).toEqual([...full.observed].sort());
    }
  }, 60_000);
});
