import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.ts';

const specPath = join(process.cwd(), 'spec/mempool.mps');
const spec = readFileSync(specPath, 'utf8');

describe('mempool-spec gen, end to end', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every output, then finds nothing to change on a second run', () => {
    const out = join(dir, 'out');
    const first = runCli(['gen', '--spec', specPath, '--out', out]);
    expect(first.stderr).not.toMatch(/error/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^gen: \d+ files/);
    for (const sub of ['reference', 'tests', 'litmus']) {
      expect(existsSync(join(out, sub))).toBe(true);
    }

    // The folder as given, with or without a slash at its end, is named once.
    const second = runCli(['gen', '--spec', specPath, '--out', `${out}/`]);
    expect(second.status).toBe(0);
    const count = /^gen: (\d+)/.exec(first.stdout)![1];
    expect(second.stdout).toContain(`gen: ${count} files in ${out}/ from`);
    expect(second.stdout).toMatch(/\(0 added, 0 changed, 0 removed, \d+ unchanged\)/);
    const check = runCli(['gen', '--spec', specPath, '--out', `${out}/`, '--check']);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(new RegExp(`^gen --check: ${out}/ is up to date`));
  });

  it('reports a stale output folder with --check, names the file and writes nothing', () => {
    const out = join(dir, 'stale');
    runCli(['gen', '--spec', specPath, '--out', out]);
    const target = join(out, 'reference/mempool.ts');
    const edited = readFileSync(target, 'utf8') + '// a hand edit\n';
    writeFileSync(target, edited);
    const check = runCli(['gen', '--spec', specPath, '--out', out, '--check']);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('changed: ');
    expect(check.stdout).toContain('reference/mempool.ts');
    expect(readFileSync(target, 'utf8')).toBe(edited);
  });

  it('refuses to overwrite a file it did not write, with exit 2, and leaves it as it was', () => {
    const out = join(dir, 'foreign');
    runCli(['gen', '--spec', specPath, '--out', out]);
    const target = join(out, 'reference/mempool.ts');
    writeFileSync(target, 'export const mine = 1;\n');
    const run = runCli(['gen', '--spec', specPath, '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('reference/mempool.ts');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(target, 'utf8')).toBe('export const mine = 1;\n');
  });

  it('reports a file in the way of a folder as write-failed, exit 2, and changes nothing', () => {
    const out = join(dir, 'blocked');
    mkdirSync(out);
    writeFileSync(join(out, 'reference'), 'a file where gen wants a folder\n');
    const run = runCli(['gen', '--spec', specPath, '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/reference\/\S+: error\[write-failed\]: cannot write/);
    expect(run.stderr).toMatch(/nothing in the output folder was changed\nhint: /);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readdirSync(out)).toEqual(['reference']);
  });

  it('keeps the committed generated/ folder identical to what the spec gives', () => {
    const check = runCli(['gen', '--check']);
    expect(check.stdout + check.stderr).toMatch(/up to date/);
    expect(check.status).toBe(0);
  });
});

describe('mempool-spec gen on a broken spec', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-broken-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string, RegExp][] = [
    ['truncated', spec.slice(0, Math.floor(spec.length / 2)), /:\d+:\d+: error\[syntax\]/],
    ['garbage', '%%% not a spec @@@\n', /:1:1: error\[syntax\]/],
    ['empty', '', /:1:1: error\[syntax\]/],
    ['unknown-name', spec.replace('protects curr_nr witness handoff',
      'protects curr_nrx witness handoff'), /:\d+:\d+: error\[unknown-name\]/],
    ['quoted-name', spec.replace('op free(e: elem)', 'op fr"ee(e: elem)'),
      /:\d+:\d+: error\[syntax\]/],
  ];

  for (const [name, text, expected] of cases) {
    it(`rejects a ${name} spec with a located error, exit 2, no stack trace, nothing written`,
      () => {
      const file = join(dir, `${name}.mps`);
      writeFileSync(file, text);
      const out = join(dir, `out-${name}`);
      const run = runCli(['gen', '--spec', file, '--out', out]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(expected);
      expect(run.stderr).toMatch(/\nhint: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('rejects a missing spec file with exit 2 and names it', () => {
    const run = runCli(['gen', '--spec', join(dir, 'nope.mps'), '--out', join(dir, 'x')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/nope\.mps: error\[file\]/);
    expect(readdirSync(dir)).not.toContain('x');
  });

  it('reads validate --runs as a whole number only', () => {
    const run = runCli(['validate', 'examples/mempool.mjs', '--runs', '1e3']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: option '--runs <n>' argument '1e3' is invalid\. not a /);
    expect(run.stdout).toBe('');
  });

  it('rejects an unknown option with exit 2, one line and a hint, not the whole help', () => {
    const run = runCli(['gen', '--bogus']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("error: unknown option '--bogus'\n" +
      'hint: add --help to the command for its options\n');
  });
});

describe('mempool-spec on inputs too large to handle', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-limits-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const noCrash = (run: { stdout: string; stderr: string }): void => {
    expect(run.stderr).not.toMatch(/\n\s+at |FATAL ERROR|heap out of memory/);
  };

  it('refuses a spec of a megabyte in gen and in check, with exit 2 and nothing written', () => {
    const file = join(dir, 'mega.mps');
    writeFileSync(file, spec + '# padding to make the spec a megabyte long\n'.repeat(24_000));
    const out = join(dir, 'out-mega');
    for (const args of [['gen', '--spec', file, '--out', out], ['check', file]]) {
      const run = runCli(args);
      expect(run.status, args[0]).toBe(2);
      expect(run.stderr).toMatch(/mega\.mps: error\[too-large\]: the spec is \d+ bytes/);
      expect(run.stderr).toMatch(/\nhint: /);
      noCrash(run);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('refuses parameter ranges with more configurations than check explores, with exit 2',
    () => {
      const file = join(dir, 'wide.mps');
      writeFileSync(file, spec.replace('param capacity in 0..2', 'param capacity in 0..100000'));
      const run = runCli(['check', file]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/\d+ configurations .*check explores at most 1000/);
      expect(run.stderr).toMatch(/--param NAME=VALUE/);
      noCrash(run);
    });

  it('stops a search at the state limit and says so, with exit 1', () => {
    const run = runCli(['check', specPath, '--only', 'ranges', '--state-limit', '500',
      '--param', 'min_nr=1', '--param', 'capacity=0']);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/stopped at the state limit \(500 states\)/);
    expect(run.stdout).toMatch(/^incomplete: /m);
    noCrash(run);
  });

  it('stops a search before the heap fills, with exit 1 and a message, never an OOM crash',
    () => {
      // A heap of 192 MB, and a state space that outgrows it long before the state limit:
      // the fixed variant's largest configuration (4.35 million states), which has no
      // counterexample to stop the search first.
      const run = runCli(['check', join(process.cwd(), 'spec/variants/mempool-fixed.mps'),
        '--only', 'ranges', '--state-limit', '1000000000',
        '--param', 'min_nr=0', '--param', 'capacity=2'], undefined,
      ['--max-old-space-size=192']);
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(
        /before exhausting it, because the heap was nearly full; lower the bounds/);
      noCrash(run);
    }, 120_000);
});
