import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Op, SpecIR, Stmt } from '../../src/ir.ts';
import { loadSpec, parseSpec, SpecError } from '../../src/spec/load.ts';
import { packageRoot } from '../../src/paths.ts';
import { mempoolText } from './helpers.ts';

const specPath = join(packageRoot, 'spec', 'mempool.mps');
const variantPath = join(packageRoot, 'spec', 'variants', 'mempool-pre-5b990546.mps');

/** Every step of a body, depth first, in program order. */
function steps(body: Stmt[]): Stmt[] {
  return body.flatMap((s) =>
    s.k === 'if'
      ? [s, ...steps(s.then), ...steps(s.else)]
      : s.k === 'loop'
        ? [s, ...steps(s.body)]
        : [s],
  );
}

function op(ir: SpecIR, name: string): Op {
  const found = ir.ops.find((o) => o.name === name);
  if (found === undefined) throw new Error(`no op ${name}`);
  return found;
}

describe('loadSpec on spec/mempool.mps', () => {
  const ir = loadSpec(specPath);

  it('records the path relative to the working directory and the sha-256 of the bytes', () => {
    const bytes = readFileSync(specPath);
    expect(ir.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(ir.source).toBe(relative(process.cwd(), specPath).split(sep).join('/'));
    expect(ir.name).toBe('mempool');
  });

  it('declares the exploration bounds as parameters with their ranges', () => {
    expect(ir.params.map(({ name, min, max }) => ({ name, min, max }))).toEqual([
      { name: 'min_nr', min: 0, max: 2 },
      { name: 'threads', min: 2, max: 3 },
      { name: 'ops', min: 2, max: 3 },
      { name: 'capacity', min: 0, max: 2 },
    ]);
  });

  it('guards curr_nr and min_nr by pool.lock with the lockless read in free declared', () => {
    for (const name of ['curr_nr', 'min_nr']) {
      const v = ir.state.vars.find((x) => x.name === name);
      expect(v?.access).toEqual({
        kind: 'locked',
        lock: 'pool.lock',
        locklessReads: [{ op: 'free', label: 'test' }],
      });
    }
    const minNr = ir.state.vars.find((v) => v.name === 'min_nr');
    expect(minNr?.init).toEqual({ k: 'param', name: 'min_nr' });
    expect(ir.state.queues).toEqual([
      expect.objectContaining({ name: 'pool.wait', timeoutMs: 5000 }),
    ]);
    expect(ir.state.reserve).toMatchObject({ count: 'curr_nr', lock: 'pool.lock' });
    expect(ir.state.backing.capacityParam).toBe('capacity');
    expect(ir.state.ghosts.map((g) => g.name)).toEqual(['allocated', 'floor']);
  });

  it('has the five operations with their signatures; create and destroy are exclusive', () => {
    expect(ir.ops.map((o) => [o.name, o.params, o.returns, o.exclusive ?? false])).toEqual([
      ['create', [], 'bool', true],
      ['destroy', [], 'void', true],
      ['alloc', [{ name: 'may_wait', type: 'bool' }], 'elem', false],
      ['free', [{ name: 'e', type: 'elem' }], 'void', false],
      ['resize', [{ name: 'new_min_nr', type: 'int' }], 'int', false],
    ]);
  });

  it("lowers free's lockless test to two labelled reads into fresh locals before the if", () => {
    const free = op(ir, 'free');
    const at = free.body.findIndex((s) => s.label === 'test');
    const [readCurr, readMin, test] = free.body.slice(at, at + 3);
    expect(readCurr).toMatchObject({ k: 'read', var: 'curr_nr', label: 'test', into: 'curr_nr_1' });
    expect(readMin).toMatchObject({ k: 'read', var: 'min_nr', label: 'test', into: 'min_nr_1' });
    expect(test).toMatchObject({
      k: 'if',
      cond: {
        k: 'bin',
        op: '<',
        left: { k: 'local', name: 'curr_nr_1' },
        right: { k: 'local', name: 'min_nr_1' },
      },
    });
    expect(free.body[at - 1]).toMatchObject({ k: 'fence', fence: 'rmb', label: 'rmb' });
  });

  it('never mentions a shared variable inside the expressions of operation code', () => {
    for (const o of ir.ops) {
      for (const s of steps(o.body)) {
        if (s.k === 'ghost') continue;
        const own = s.k === 'if' ? s.cond : s.k === 'loop' ? {} : s;
        expect(JSON.stringify(own)).not.toMatch(/"k":"shared"/);
      }
    }
  });

  it('lists every local a body assigns, read locals included, with its type', () => {
    const locals = new Map(op(ir, 'alloc').locals.map((l) => [l.name, l.type]));
    expect(locals).toEqual(new Map([['retry_full', 'bool'], ['e', 'elem'], ['curr_nr_1', 'int']]));
    for (const o of ir.ops) {
      const declared = new Set([...o.locals.map((l) => l.name), ...o.params.map((p) => p.name)]);
      for (const s of steps(o.body)) {
        if (s.k === 'read' || s.k === 'remove_element' || s.k === 'backing_alloc') {
          expect(declared.has(s.into)).toBe(true);
        }
        if (s.k === 'let') expect(declared.has(s.name)).toBe(true);
      }
    }
  });

  it('has a wmb after the unlock on the reserve path of alloc, and the join under the lock', () => {
    const alloc = steps(op(ir, 'alloc').body);
    const labels = alloc.filter((s) => s.label !== undefined).map((s) => [s.k, s.label]);
    expect(labels).toEqual([
      ['remove_element', 'take'],
      ['unlock', 'take_unlock'],
      ['fence', 'wmb'],
      ['enqueue', 'join'],
      ['sleep', 'sleep'],
    ]);
  });

  it('states the two edges of the commit', () => {
    expect(ir.edges.map(({ doc, loc, ...e }) => e)).toEqual([
      {
        kind: 'barrier',
        name: 'reserve_handoff',
        from: { barrier: 'wmb', at: { op: 'alloc', label: 'wmb' } },
        to: { barrier: 'rmb', at: { op: 'free', label: 'rmb' } },
        protects: 'curr_nr',
        witness: 'handoff',
      },
      {
        kind: 'lock',
        name: 'wait_registration',
        lock: 'pool.lock',
        from: { op: 'alloc', label: 'join' },
        to: { op: 'free', label: 'wake' },
        protects: 'pool.wait',
        witness: 'waiter_vs_refill',
      },
    ]);
  });

  it('states the invariants and the liveness property', () => {
    expect(ir.invariants.map((i) => i.name)).toEqual([
      'reserve_floor',
      'curr_nr_nonnegative',
      'curr_nr_at_most_min_nr',
      'floor_at_most_min_nr',
    ]);
    expect(ir.invariants[0].expr).toEqual({
      k: 'bin',
      op: '>=',
      left: {
        k: 'bin',
        op: '+',
        left: { k: 'shared', name: 'curr_nr' },
        right: { k: 'ghost', name: 'allocated' },
      },
      right: { k: 'ghost', name: 'floor' },
    });
    expect(ir.liveness).toEqual([
      expect.objectContaining({ kind: 'no_dangling_waiter', queue: 'pool.wait' }),
    ]);
  });

  it('has the hand-off scenario of the commit', () => {
    const handoff = ir.scenarios.find((s) => s.name === 'handoff')!;
    expect(handoff.params).toEqual({ min_nr: 1, capacity: 0, threads: 2, ops: 2 });
    expect(handoff.shared).toEqual([{ name: 'p', init: 0 }]);
    expect(handoff.threads.map((t) => t.name)).toEqual(['T0', 'T1']);
    expect(handoff.threads[0].body[0]).toMatchObject({
      k: 'call',
      op: 'alloc',
      into: 'r0',
      args: [{ k: 'bool', value: false }],
    });
    expect(handoff.threads[1].body[0]).toMatchObject({ k: 'read', into: 'r1', var: 'p' });
    expect(handoff.expect).toBe('never');
    expect(handoff.outcome).toEqual({
      k: 'and',
      args: [
        { k: 'reg', thread: 1, reg: 'r1', value: 1 },
        { k: 'var', var: 'curr_nr', value: 0 },
      ],
    });
  });

  it('has the waiter scenario, starting with one element handed out', () => {
    const waiter = ir.scenarios.find((s) => s.name === 'waiter_vs_refill')!;
    expect(waiter.start).toEqual({ curr_nr: 0, allocated: 1 });
    expect(waiter.outcome).toEqual({
      k: 'and',
      args: [
        { k: 'waiters', queue: 'pool.wait', value: 1 },
        { k: 'woken', queue: 'pool.wait', value: 0 },
        { k: 'var', var: 'curr_nr', value: 1 },
      ],
    });
  });

  it('is plain JSON: it survives a round trip unchanged', () => {
    expect(JSON.parse(JSON.stringify(ir))).toEqual(ir);
  });
});

describe('loadSpec on the pre-fix variant', () => {
  const ir = loadSpec(variantPath);

  it('pairs the reserve-path unlock with the mb in free, and has no lock edge', () => {
    const handoff = ir.edges.find((e) => e.name === 'reserve_handoff');
    expect(handoff).toMatchObject({
      kind: 'barrier',
      from: { barrier: 'unlock', at: { op: 'alloc', label: 'take_unlock' } },
      to: { barrier: 'mb', at: { op: 'free', label: 'mb' } },
    });
    expect(ir.edges.some((e) => e.kind === 'lock')).toBe(false);
  });

  it('joins the wait queue after the unlock, then mb, then re-tests curr_nr unlocked', () => {
    const alloc = steps(op(ir, 'alloc').body);
    const join = alloc.findIndex((s) => s.k === 'enqueue');
    expect(alloc.slice(join, join + 3)).toMatchObject([
      { k: 'enqueue', label: 'join' },
      { k: 'fence', fence: 'mb', label: 'mb' },
      { k: 'read', var: 'curr_nr', label: 'retest' },
    ]);
    expect(alloc.some((s) => s.k === 'fence' && s.fence === 'wmb')).toBe(false);
  });

  it('has the same scenarios as the fixed spec, up to source positions', () => {
    const withoutLocs = (scenarios: SpecIR['scenarios']) =>
      JSON.parse(JSON.stringify(scenarios, (key, value) => (key === 'loc' ? undefined : value)));
    expect(withoutLocs(ir.scenarios)).toEqual(withoutLocs(loadSpec(specPath).scenarios));
  });
});

describe('loadSpec on the fixtures', () => {
  const fixture = (name: string) =>
    relative(process.cwd(), join(packageRoot, 'test', 'fixtures', 'specs', name));

  it('accepts the minimal spec', () => {
    const ir = loadSpec(fixture('minimal.mps'));
    expect(ir.ops.map((o) => o.name)).toEqual(['take', 'put']);
    expect(ir.source).toBe(fixture('minimal.mps').split(sep).join('/'));
  });

  it('prints the committed message for a broken spec, byte for byte', () => {
    const expected = readFileSync(fixture('unguarded-reserve.expected'), 'utf8');
    expect(() => loadSpec(fixture('unguarded-reserve.mps'))).toThrow(SpecError);
    try {
      loadSpec(fixture('unguarded-reserve.mps'));
    } catch (e) {
      expect(`${(e as SpecError).format()}\n`).toBe(expected);
    }
  });
});

describe('file errors', () => {
  it('reports a missing file as a SpecError without a position', () => {
    const error = (() => {
      try {
        loadSpec('spec/does-not-exist.mps');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).code).toBe('file');
    expect((error as SpecError).format()).toMatch(
      /^spec\/does-not-exist\.mps: error\[file\]: cannot read the spec file: no such file\n/,
    );
  });

  it('reports a directory as unreadable', () => {
    expect(() => loadSpec(packageRoot)).toThrow(/it is a directory/);
  });

  it('hashes the bytes but parses past a byte-order mark', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mps-'));
    const path = join(dir, 'bom.mps');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(mempoolText)]);
    writeFileSync(path, bytes);
    const ir = loadSpec(path);
    expect(ir.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(ir.ops).toHaveLength(5);
  });
});

describe('parseSpec on absurdly nested text', () => {
  it('reports a SpecError without a position instead of overflowing the stack', () => {
    const deep = `${'('.repeat(5000)}1${')'.repeat(5000)}`;
    const text = `spec s "t"\ninvariant i: ${deep} == 1`;
    expect(() => parseSpec(text, 'deep.mps')).toThrow(SpecError);
    expect(() => parseSpec(text, 'deep.mps')).toThrow(/nested too deeply/);
  });
});
