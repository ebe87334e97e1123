import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateJsLitmus, jsLitmusBuiltIns, type JsLitmusEntry } from '../../src/gen/js-litmus.ts';
import { enumerate, type Outcome } from '../../src/litmus/enumerate.ts';
import { jsVerdict, toJsModel } from '../../src/litmus/js.ts';
import { lb } from '../../src/litmus/shapes.ts';
import type { LExpr, LInstr, LitmusTest } from '../../src/litmus/types.ts';
import { packageRoot } from '../../src/paths.ts';

const run = promisify(execFile);

const [sbPlain, mpAtomics] = jsLitmusBuiltIns();

/** The plain SB program with a verdict it does not have: its weak outcome must fail the run. */
const sbClaimedNever: JsLitmusEntry = {
  ...sbPlain,
  test: { ...sbPlain.test, name: 'SB+claimed-never' },
  jsVerdict: 'Never',
};

/** A program that never releases its lock: the other process can never take it. */
const deadlock: LitmusTest = {
  name: 'deadlock',
  doc: [],
  vars: [{ name: 'x', init: 0 }],
  locks: ['l'],
  procs: [
    { regs: [], body: [{ k: 'lock', lock: 'l' }] },
    {
      regs: ['r0'],
      body: [
        { k: 'lock', lock: 'l' },
        { k: 'read', reg: 'r0', var: 'x', mode: 'once' },
      ],
    },
  ],
  exists: { k: 'reg', proc: 1, reg: 'r0', value: 1 },
};

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Writes the files into a fresh folder inside the repository (so node_modules resolves). */
function writeTemp(files: { path: string; content: string }[]): string {
  const folder = mkdtempSync(join(packageRoot, '.tmp-js-litmus-'));
  folders.push(folder);
  for (const file of files) {
    mkdirSync(dirname(join(folder, file.path)), { recursive: true });
    writeFileSync(join(folder, file.path), file.content);
  }
  return folder;
}

describe('generateJsLitmus', () => {
  it('emits the same bytes for the same entries', () => {
    const entries = [sbClaimedNever, mpAtomics];
    const first = generateJsLitmus(entries);
    const second = generateJsLitmus(structuredClone(entries));

    expect(second).toEqual(first);
  });

  it('always includes plain store buffering and message passing through Atomics', () => {
    const paths = generateJsLitmus([]).map((f) => f.path);

    expect(paths).toEqual([
      'litmus/js/runner.ts',
      'litmus/js/worker-loop.mjs',
      `litmus/js/${sbPlain.test.name}.test.ts`,
      `litmus/js/${sbPlain.test.name}.worker.mjs`,
      `litmus/js/${mpAtomics.test.name}.test.ts`,
      `litmus/js/${mpAtomics.test.name}.worker.mjs`,
    ]);
    expect(sbPlain.jsVerdict).toBe('Sometimes');
    expect(mpAtomics.jsVerdict).toBe('Never');
  });

  it('gives a repeated test name its own files', () => {
    const paths = generateJsLitmus([sbPlain]).map((f) => f.path);

    expect(paths).toContain(`litmus/js/${sbPlain.test.name}-2.test.ts`);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('emits plain accesses as typed-array accesses and sc accesses as Atomics', () => {
    const files = generateJsLitmus([]);
    const worker = (name: string) =>
      files.find((f) => f.path === `litmus/js/${name}.worker.mjs`)?.content ?? '';
    const bodies = (text: string) => text.slice(text.indexOf('function p0'));

    expect(bodies(worker(sbPlain.test.name))).not.toContain('Atomics');
    expect(bodies(worker(sbPlain.test.name))).toMatch(/m\[v \+ \d\] = 1;/);
    expect(bodies(worker(mpAtomics.test.name))).toMatch(/Atomics\.store\(m, v \+ \d, 1\)/);
    expect(bodies(worker(mpAtomics.test.name))).toMatch(/= Atomics\.load\(m, v \+ \d\);/);
    expect(bodies(worker(mpAtomics.test.name))).not.toMatch(/= m\[v/);
  });

  it('fails only on a Never the model can vouch for, and reports the LB blind spot', () => {
    const loadBuffering = lb({ barriers: ['mb', 'mb'] });
    const verdict = jsVerdict(loadBuffering, []);
    const entry = { test: loadBuffering, protectedVars: [], jsVerdict: verdict };
    const files = generateJsLitmus([entry]);
    const testFile = (name: string) =>
      files.find((f) => f.path === `litmus/js/${name}.test.ts`)?.content ?? '';

    expect(verdict).toBe('Never');
    expect(testFile(loadBuffering.name)).toContain('not\n * one to enforce');
    expect(testFile(loadBuffering.name)).not.toContain('expect(report.existsCount');
    expect(testFile(mpAtomics.test.name)).toContain('expect(report.existsCount');
  });

  it('emits processes that, run one at a time, end in a state the model allows', async () => {
    const folder = writeTemp([]);
    let count = 0;
    await fc.assert(
      fc.asyncProperty(
        arbitraryProgram,
        fc.subarray(['x', 'y']),
        fc.boolean(),
        async (program, protectedVars, reversed) => {
          const test = { ...program, name: `program-${count++}` };
          const files = generateJsLitmus([{ test, protectedVars, jsVerdict: 'Sometimes' }]);
          for (const file of files) {
            mkdirSync(dirname(join(folder, file.path)), { recursive: true });
            writeFileSync(join(folder, file.path), file.content);
          }
          const worker = join(folder, 'litmus/js', `${test.name}.worker.mjs`);
          const { processes } = (await import(pathToFileURL(worker).href)) as {
            processes: ProcessBody[];
          };

          const order = test.procs.map((_, p) => p);
          const outcome = runOneAtATime(test, processes, reversed ? order.reverse() : order);
          const allowed = enumerate(toJsModel(test, protectedVars)).outcomes;
          expect(allowed).toContainEqual(outcome);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('emits files that type-check', async () => {
    const files = generateJsLitmus([sbClaimedNever]);
    const folder = writeTemp(files);
    // Listed one by one: tsc's wildcards skip folders whose name starts with a dot.
    const typescript = files.map((f) => f.path).filter((path) => path.endsWith('.ts'));
    writeFileSync(
      join(folder, 'tsconfig.json'),
      JSON.stringify({ extends: '../tsconfig.json', include: [], files: typescript }),
    );

    const tsc = join(packageRoot, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['-p', join(folder, 'tsconfig.json'), '--noEmit'], {
      cwd: packageRoot,
    }).then(
      (ok) => ({ stdout: ok.stdout, code: 0 }),
      (error: { stdout: string; code: number }) => error,
    );

    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  }, 30_000);

  it('runs on workers: Atomics MP passes, and a wrong Never fails exactly when seen', async () => {
    const folder = writeTemp(generateJsLitmus([sbClaimedNever]));
    const reports = join(folder, 'reports');
    const results = join(folder, 'results.json');
    writeFileSync(
      join(folder, 'vitest.config.mjs'),
      // One file at a time: the workers of two files would share the two cores, and the
      // plain SB program would rarely show its weak outcome.
      'export default { test: { include: ["**/*.test.ts"], pool: "forks", ' +
        'fileParallelism: false } };\n',
    );

    const vitest = join(packageRoot, 'node_modules', '.bin', 'vitest');
    const args = ['run', '--root', folder, '--config', join(folder, 'vitest.config.mjs')];
    const reporters = ['--reporter=default', '--reporter=json', `--outputFile.json=${results}`];
    const child = await run(vitest, [...args, ...reporters], {
      cwd: packageRoot,
      env: {
        ...process.env,
        MEMPOOL_SPEC_LITMUS_REPORTS: reports,
        MEMPOOL_SPEC_LITMUS_BUDGET_MS: '300',
        NO_COLOR: '1',
      },
    }).then(
      (ok) => ({ ...ok, code: 0 }),
      (error: { stdout: string; stderr: string; code: number }) => error,
    );

    const status = fileStatuses(results);
    const report = (id: string) =>
      JSON.parse(readFileSync(join(reports, `${id}.json`), 'utf8')) as {
        existsCount: number;
        instances: number;
      };
    expect(status.get(`${mpAtomics.test.name}.test.ts`)).toBe('passed');
    expect(report(mpAtomics.test.name).existsCount).toBe(0);
    const histogram = new RegExp(
      `${escapeRegExp(mpAtomics.test.name)} \\(JavaScript verdict Never\\): \\d+ runs.*\\n` +
        '( *\\d+ :> .*\\n)+exists held 0 times',
    );
    expect(child.stdout).toMatch(histogram);
    expect(status.get(`${sbPlain.test.name}.test.ts`)).toBe('passed');

    const seen = report('SB+claimed-never').existsCount;
    console.log(`plain SB showed its weak outcome ${seen} times in one run`);
    expect(report('SB+claimed-never').instances).toBeGreaterThan(0);
    expect(status.get('SB+claimed-never.test.ts')).toBe(seen > 0 ? 'failed' : 'passed');
    expect(child.code !== 0).toBe(seen > 0);
  }, 60_000);

  it('fails a run whose round never ends, instead of hanging, and ends its workers', async () => {
    const folder = writeTemp(
      generateJsLitmus([{ test: deadlock, protectedVars: [], jsVerdict: 'Never' }]),
    );
    const runner = (await import(pathToFileURL(join(folder, 'litmus/js/runner.ts')).href)) as {
      LitmusHarness: new (program: object, limits: object) => {
        run(): Promise<unknown>;
        close(): Promise<void>;
      };
    };
    // The program as the generated deadlock.test.ts describes it, with a short round timeout.
    const harness = new runner.LitmusHarness(
      {
        id: 'deadlock',
        name: 'deadlock',
        verdict: 'Never',
        worker: pathToFileURL(join(folder, 'litmus/js/deadlock.worker.mjs')),
        procs: 2,
        stride: 16,
        init: [0, 0],
        regs: 1,
        columns: ['1:r0', 'x'],
        varWords: [0],
        exists: (o: number[]) => o[0] === 1,
      },
      { instances: 4, maxRounds: 5, budgetMs: 1_000, roundTimeoutMs: 300 },
    );

    await expect(harness.run()).rejects.toThrow(/hung/);
    await harness.close();
  }, 10_000);
});

/** A process as the generated worker exports it: `(m, n, vars, out)`. */
type ProcessBody = (m: Int32Array, n: number, vars: number, out: number) => void;

/**
 * Runs the processes of one copy of `test` in `order`, each to its end, on the layout the
 * generator documents: the copy's block (variables, then locks) at word 16, padded to 16
 * words, then the registers of every process in order.
 */
function runOneAtATime(test: LitmusTest, processes: ProcessBody[], order: number[]): Outcome {
  const vars = 16;
  const out = vars + 16;
  const regCount = test.procs.reduce((sum, proc) => sum + proc.regs.length, 0);
  const m = new Int32Array(new SharedArrayBuffer((out + regCount) * 4));
  test.vars.forEach((v, i) => (m[vars + i] = v.init));
  for (const p of order) processes[p](m, 1, vars, out);

  let next = out;
  return {
    regs: test.procs.map((proc) => Object.fromEntries(proc.regs.map((r) => [r, m[next++]]))),
    vars: Object.fromEntries(test.vars.map((v, i) => [v.name, m[vars + i]])),
  };
}

const register = fc.constantFrom('r0', 'r1');

const { expr: arbitraryExpr } = fc.letrec<{ expr: LExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ k: fc.constant('num' as const), value: fc.integer({ min: -2, max: 3 }) }),
    fc.record({ k: fc.constant('reg' as const), name: register }),
    fc.record({
      k: fc.constant('bin' as const),
      op: fc.constantFrom(
        ...(['+', '-', '==', '!=', '<', '>', '<=', '>=', '&&', '||'] as const),
      ),
      left: tie('expr'),
      right: tie('expr'),
    }),
    fc.record({ k: fc.constant('not' as const), arg: tie('expr') }),
  ),
}));

const { instr: arbitraryInstr } = fc.letrec<{ instr: LInstr }>((tie) => ({
  instr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      k: fc.constant('read' as const),
      reg: register,
      var: fc.constantFrom('x', 'y'),
      mode: fc.constantFrom('once' as const, 'acquire' as const, 'sc' as const),
    }),
    fc.record({
      k: fc.constant('write' as const),
      var: fc.constantFrom('x', 'y'),
      expr: arbitraryExpr,
      mode: fc.constantFrom('once' as const, 'release' as const, 'sc' as const),
    }),
    fc.record({
      k: fc.constant('fence' as const),
      fence: fc.constantFrom('wmb' as const, 'rmb' as const, 'mb' as const),
    }),
    fc.record({ k: fc.constant('assign' as const), reg: register, expr: arbitraryExpr }),
    fc.record({
      k: fc.constant('if' as const),
      cond: arbitraryExpr,
      then: fc.array(tie('instr'), { maxLength: 2 }),
      else: fc.array(tie('instr'), { maxLength: 2 }),
    }),
  ),
}));

/** A process body, some of it in one critical section of `l` (locks must be balanced). */
const arbitraryBody = fc
  .tuple(
    fc.array(arbitraryInstr, { maxLength: 3 }),
    fc.option(fc.array(arbitraryInstr, { maxLength: 2 }), { nil: undefined }),
  )
  .map(([body, locked]): LInstr[] =>
    locked === undefined
      ? body
      : [...body, { k: 'lock', lock: 'l' }, ...locked, { k: 'unlock', lock: 'l' }],
  );

const arbitraryProgram: fc.Arbitrary<LitmusTest> = fc
  .tuple(fc.array(arbitraryBody, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 2 }))
  .map(([bodies, init]) => ({
    name: 'program',
    doc: [],
    vars: [
      { name: 'x', init },
      { name: 'y', init: 0 },
    ],
    locks: ['l'],
    procs: bodies.map((body) => ({ regs: ['r0', 'r1'], body })),
    exists: { k: 'var', var: 'x', value: 1 },
  }));

/** Each test file's status in vitest's JSON report, by file name. */
function fileStatuses(results: string): Map<string, string> {
  if (!existsSync(results)) return new Map();
  const json = JSON.parse(readFileSync(results, 'utf8')) as {
    testResults: { name: string; status: string }[];
  };
  return new Map(json.testResults.map((r) => [r.name.split('/').at(-1) ?? r.name, r.status]));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
