import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan, planWrite } from '../../src/gen/files.ts';
import { GENERATED_MARK } from '../../src/gen/header.ts';
import { generateAll } from '../../src/gen/index.ts';
import { packageRoot } from '../../src/paths.ts';
import { parseSpec } from '../../src/spec/load.ts';
import { runSuites, typecheckTrees, writeTrees, type SuiteOutcome, type Trees } from
  '../support/gen-trees.ts';
import { runCli } from '../support/run-cli.ts';

// Change propagation: copies of the spec with one edit each, and what gen makes of them.
// Every file's header names the spec's sha-256, so every file changes with any edit; the
// comparisons below are of the files without their header, which is where an edit should
// show and nowhere else.

const spec = readFileSync(join(packageRoot, 'spec', 'mempool.mps'), 'utf8');

/** Replaces `from` in `text`, which must be there: an edit that no longer applies fails. */
function edit(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`edit no longer applies to spec/mempool.mps: ${from}`);
  return out;
}

const PEEK = 'op peek() -> int "How many elements the reserve holds, read under the lock." {\n' +
  '  lock pool.lock\n  n = curr_nr\n  unlock pool.lock\n  return n\n}\n\n';
const withPeek = edit(spec, '# ---- properties', `${PEEK}# ---- properties`);
const renamed = edit(withPeek, 'op peek()', 'op reserve_count()');
const invariantHolds = edit(spec, '# ---- happens-before edges',
  'invariant allocated_nonnegative "Elements out never go negative." : allocated >= 0\n\n' +
  '# ---- happens-before edges');
const invariantBroken = edit(spec, '# ---- happens-before edges',
  'invariant reserve_never_full "Wrong on purpose: create fills the reserve." : ' +
  'curr_nr < min_nr\n\n# ---- happens-before edges');
const edgeRemoved = edit(spec, /edge reserve_handoff\n[^]*?witness handoff\n/, '');
const rangeWidened = edit(spec, 'param capacity in 0..2', 'param capacity in 0..3');

const REFERENCE = ['reference/mempool-mem.ts', 'reference/mempool.ts'];
const HANDOFF_EDGE_FILES = ['mempool-reserve-handoff+wmb+rmb',
  'mempool-reserve-handoff-no-rmb+wmb+lock', 'mempool-reserve-handoff-no-wmb+lock+rmb']
  .flatMap((n) => [`litmus/${n}.litmus`, `litmus/js/${n}.test.ts`, `litmus/js/${n}.worker.mjs`])
  .sort();

type Output = Map<string, string>;
const generate = (text: string): Output => new Map(
  generateAll(parseSpec(text, 'spec/mempool.mps')).files.map((f) => [f.path, f.content]));

/** A file without its generated-file header lines. */
const withoutHeader = (text: string): string => text.split('\n')
  .filter((l) => !l.includes(GENERATED_MARK) && !l.includes('Do not edit: change the spec'))
  .join('\n');

/** TypeScript without its comments: what the code does, not what it says. */
const codeOnly = (text: string): string => text.replace(/\/\*[^]*?\*\//g, '')
  .replace(/\/\/.*$/gm, '').replace(/\n\s*\n/g, '\n');

/** Which files an edit adds, removes and changes (headers aside), sorted. */
function difference(before: Output, after: Output) {
  const paths = (ps: Iterable<string>) => [...ps].sort();
  return {
    added: paths([...after.keys()].filter((p) => !before.has(p))),
    removed: paths([...before.keys()].filter((p) => !after.has(p))),
    changed: paths([...after.keys()].filter((p) => before.has(p) &&
      withoutHeader(before.get(p) as string) !== withoutHeader(after.get(p) as string))),
  };
}

const base = generate(spec);
const outputs = {
  withPeek: generate(withPeek),
  renamed: generate(renamed),
  invariantHolds: generate(invariantHolds),
  invariantBroken: generate(invariantBroken),
  edgeRemoved: generate(edgeRemoved),
  rangeWidened: generate(rangeWidened),
};

describe('gen after an edit of the spec changes what the edit touches and nothing else', () => {
  it('gives every file a header with the new spec hash', () => {
    const hash = (out: Output) => /sha256 ([0-9a-f]{64})/.exec(out.get('tests/spec.ir.ts')!)![1];
    for (const out of Object.values(outputs)) {
      expect(hash(out)).not.toBe(hash(base));
      for (const content of out.values()) expect(content).toContain(hash(out));
    }
  });

  it('adding an operation adds a method to the reference and an entry to the IR, only', () => {
    expect(difference(base, outputs.withPeek)).toEqual({ added: [], removed: [],
      changed: [...REFERENCE, 'tests/spec.ir.ts'] });
    expect(outputs.withPeek.get('reference/mempool.ts')).toMatch(/\n {2}peek\(\): number \{/);
  });

  it('renaming an operation renames its method, and changes nothing else', () => {
    expect(difference(outputs.withPeek, outputs.renamed)).toEqual({ added: [], removed: [],
      changed: [...REFERENCE, 'tests/spec.ir.ts'] });
    for (const path of REFERENCE) {
      const before = withoutHeader(outputs.withPeek.get(path) as string);
      const after = withoutHeader(outputs.renamed.get(path) as string);
      expect(after).toMatch(/\n {2}reserveCount\(\): number \{/);
      expect(after).not.toMatch(/\bpeek\b/);
      expect(after.replace(/reserveCount/g, 'peek').replace(/reserve_count/g, 'peek'))
        .toBe(before);
    }
  });

  it('adding an invariant changes only the IR the suites check it from', () => {
    for (const out of [outputs.invariantHolds, outputs.invariantBroken]) {
      expect(difference(base, out)).toEqual({ added: [], removed: [],
        changed: ['tests/spec.ir.ts'] });
    }
    expect(outputs.invariantBroken.get('tests/spec.ir.ts')).toContain('"reserve_never_full"');
  });

  it('removing an edge removes its litmus tests, and leaves the reference code as it was', () => {
    const diff = difference(base, outputs.edgeRemoved);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual(HANDOFF_EDGE_FILES);
    // curr_nr is no longer protected by an edge: the JS litmus shapes access it plainly.
    const js = diff.changed.filter((p) => p.startsWith('litmus/js/'));
    expect(diff.changed).toEqual([...js, ...REFERENCE, 'tests/spec.ir.ts']);
    for (const path of js.filter((p) => p.endsWith('.worker.mjs'))) {
      expect(base.get(path), path).toMatch(/Atomics\.(load|store)\(m, v \+ 0/);
      expect(outputs.edgeRemoved.get(path), path).not.toMatch(/Atomics\.(load|store)\(m, v \+ 0/);
    }
    // free still reads curr_nr without the lock, so the pool keeps its Atomics: only the
    // comments that explained the edge change.
    for (const path of REFERENCE) {
      const before = base.get(path) as string;
      const after = outputs.edgeRemoved.get(path) as string;
      expect(before).toContain('reserve_handoff');
      expect(after).not.toContain('reserve_handoff');
      expect(codeOnly(after)).toBe(codeOnly(before));
    }
    expect([...outputs.edgeRemoved.keys()].filter((p) => p.endsWith('.litmus')).length)
      .toBe([...base.keys()].filter((p) => p.endsWith('.litmus')).length - 3);
  });

  it('changing a range changes only the IR the suites draw parameters from', () => {
    expect(difference(base, outputs.rangeWidened)).toEqual({ added: [], removed: [],
      changed: ['tests/spec.ir.ts'] });
    expect(outputs.rangeWidened.get('tests/spec.ir.ts'))
      .toMatch(/"name": "capacity",\s*"min": 0,\s*"max": 3/);
  });
});

describe('the suites gen writes after each edit', () => {
  let trees: Trees;
  let typecheck: string;
  let suites: SuiteOutcome[];
  const suiteOf = (name: string): SuiteOutcome | undefined =>
    suites.find((s) => s.file === `${trees.dirs[name]}/tests/model.test.ts`);

  beforeAll(async () => {
    trees = writeTrees('propagation', Object.fromEntries(Object.entries(outputs)
      .map(([name, out]) => [name, [...out].map(([path, content]) => ({ path, content }))])));
    const models = Object.keys(outputs).filter((n) => n !== 'withPeek')
      .map((n) => `${trees.dirs[n]}/tests/model.test.ts`);
    // The model-based suites only: fewer runs than the committed suites make, enough for
    // the broken invariant, which create already breaks.
    [typecheck, suites] = await Promise.all([typecheckTrees(trees),
      runSuites(models, { MEMPOOL_SPEC_RUNS: '60' })]);
  }, 180_000);

  afterAll(() => trees?.remove());

  it('still type-check, every one of them (one tsc program)', () => {
    expect(typecheck).toBe('');
  });

  it('pass where the edit keeps the spec true of the reference pool', () => {
    for (const name of ['renamed', 'invariantHolds', 'edgeRemoved', 'rangeWidened']) {
      expect({ name, ...suiteOf(name) }).toMatchObject({ name, status: 'passed' });
    }
  });

  it('fail, naming the invariant, where the edit adds one the pool breaks', () => {
    expect(suiteOf('invariantBroken')).toMatchObject({ status: 'failed',
      message: expect.stringContaining('reserve_never_full') });
  });
});

describe('mempool-spec gen on an edited spec, end to end', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-propagate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the stale files with --check, then brings the folder up to date', () => {
    const file = join(dir, 'mempool.mps');
    const out = join(dir, 'generated');
    // The folder as gen left it for the unedited spec (written in-process: faster).
    const files = generateAll(parseSpec(spec, file)).files;
    applyPlan(out, files, planWrite(out, files));

    writeFileSync(file, edgeRemoved);
    const check = runCli(['gen', '--spec', file, '--out', out, '--check']);
    expect(check.status).toBe(1);
    for (const path of HANDOFF_EDGE_FILES) expect(check.stdout).toContain(path);
    expect(check.stdout).toMatch(/removed: /);

    const gen = runCli(['gen', '--spec', file, '--out', out]);
    expect(gen.status).toBe(0);
    expect(gen.stdout).toContain(`${HANDOFF_EDGE_FILES.length} removed`);
    for (const path of HANDOFF_EDGE_FILES) expect(existsSync(join(out, path))).toBe(false);
    expect(runCli(['gen', '--spec', file, '--out', out, '--check']).status).toBe(0);
  });

  it('refuses a rename of an operation the pool API needs, and writes nothing', () => {
    const file = join(dir, 'renamed-destroy.mps');
    const out = join(dir, 'refused');
    writeFileSync(file, edit(spec, 'op destroy()', 'op teardown()'));
    const run = runCli(['gen', '--spec', file, '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/error\[gen-unsupported\]: .*no operation 'destroy'/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });
});
