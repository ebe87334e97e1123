import { spawnSync } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';

/* `mempool-spec gen` run as a process, on output folders that are in its way. */

const specPath = join(packageRoot, 'spec/mempool.mps');

const entry = fileURLToPath(new URL('../support/cli.mts', import.meta.url));
const tsx = pathToFileURL(join(packageRoot, 'node_modules/tsx/dist/loader.mjs')).href;

/**
 * `mempool-spec ...args` from source in any working directory (runCli's `--import tsx`
 * resolves tsx from the working directory), killed after `timeout` ms.
 */
function genIn(cwd: string, args: string[], timeout = 60_000): CliRun & { signal: string | null } {
  const run = spawnSync(process.execPath, ['--import', tsx, entry, ...args],
    { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout });
  return { status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

/** Every file and folder below `dir`, with the text of each file: what "nothing changed" means. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const full = join(dir, path);
    out[path] = statSync(full).isDirectory() ? '<dir>' : readFileSync(full, 'utf8');
  }
  return out;
}

describe('mempool-spec gen, a folder where it must write a file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-gen-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('in a fresh folder: exit 2, names the folder, a hint, no stack trace, nothing written',
    () => {
      const out = join(dir, 'fresh');
      mkdirSync(join(out, 'reference', 'mempool.ts'), { recursive: true });
      writeFileSync(join(out, 'reference', 'mempool.ts', 'keep.txt'), 'mine\n');
      const before = snapshot(out);
      const run = runCli(['gen', '--spec', specPath, '--out', out]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error\[output-in-the-way\]: .*: 1 file\(s\) in the way that gen did not write: reference\/mempool\.ts\/\n/);
      expect(run.stderr).toMatch(/\nhint: move them out of the output folder/);
      expect(run.stderr).not.toMatch(/internal error|EISDIR|\n\s+at /);
      expect(snapshot(out)).toEqual(before);
    });

  it('in a folder gen wrote before: exit 2, and every generated file is left as it was',
    () => {
      const out = join(dir, 'old');
      expect(runCli(['gen', '--spec', specPath, '--out', out]).status).toBe(0);
      // The spec changes (so every file would be rewritten), and a generated file has become
      // a folder.
      const edited = join(dir, 'edited.mps');
      writeFileSync(edited, readFileSync(specPath, 'utf8') + '\n# an edit\n');
      rmSync(join(out, 'tests', 'model.test.ts'));
      mkdirSync(join(out, 'tests', 'model.test.ts'));
      const before = snapshot(out);
      for (const extra of [[], ['--check']]) {
        const run = runCli(['gen', '--spec', edited, '--out', out, ...extra]);
        expect(run.status, run.stderr).toBe(2);
        expect(run.stderr).toContain('in the way that gen did not write: tests/model.test.ts/');
        expect(run.stderr).toMatch(/\nhint: /);
        expect(run.stderr).not.toMatch(/internal error|EISDIR|\n\s+at /);
        expect(snapshot(out)).toEqual(before);
      }
    });
});

describe('mempool-spec gen, a link in the output folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-gen-cli-link-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('removes no generated file of another folder that a link points to, and does not crash',
    () => {
      const other = join(dir, 'other');
      expect(runCli(['gen', '--spec', specPath, '--out', other]).status).toBe(0);
      const theirs = snapshot(other);
      const out = join(dir, 'out');
      mkdirSync(out);
      symlinkSync(other, join(out, 'linked'));
      symlinkSync(join(dir, 'no-such-file'), join(out, 'broken'));
      const run = runCli(['gen', '--spec', specPath, '--out', out]);
      expect(run.stderr).not.toMatch(/error/);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/\(\d+ added, 0 changed, 0 removed, 0 unchanged\)/);
      expect(snapshot(other)).toEqual(theirs);
    });
});

describe('mempool-spec gen, an output folder it cannot make', () => {
  // Node's recursive mkdir loops forever under /proc (ENOENT, then EEXIST, ...); gen makes
  // its folders one level at a time, so the first failing mkdir ends the run.
  it.skipIf(!existsSync('/proc/self'))(
    'under /proc: error[write-failed], exit 2, in seconds rather than never', () => {
      const run = genIn(packageRoot, ['gen', '--spec', specPath, '--out',
        '/proc/mempool-spec-out'], 30_000);
      expect(run.signal, 'gen did not end within 30 s').toBeNull();
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^\/proc\/mempool-spec-out\/\S+: error\[write-failed\]: .*mkdir/);
      expect(run.stderr).toContain('nothing in the output folder was changed');
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    }, 60_000);
});

describe('mempool-spec gen, an output folder it must not clean up', () => {
  // A project as a user has it: its own code, a note that mentions gen's header, gen's
  // output in generated/. Without the refusal, gen would write into the project's root and
  // remove whatever it took for its own there.
  let project: string;
  let before: Record<string, string>;
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'mps-gen-project-'));
    mkdirSync(join(project, 'spec'));
    writeFileSync(join(project, 'spec/mempool.mps'), readFileSync(specPath));
    writeFileSync(join(project, 'package.json'), '{ "name": "user-project" }\n');
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src/header.ts'), '// Generated by mempool-spec files start so\n');
    mkdirSync(join(project, 'docs'));
    writeFileSync(join(project, 'docs/notes.md'),
      'Our CI checks files that say "Generated by mempool-spec"\n');
    expect(genIn(project, ['gen']).status).toBe(0);
    before = snapshot(project);
  }, 60_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  for (const [what, cwd, out, message] of [
    ['an empty --out', '.', '', /^error: --out "": an empty output folder would be the working directory\n/],
    ['an empty --out with --impl', '.', '', /^error: --out "": /],
    ['the folder that holds package.json', '.', '.', /^error: --out \.: the folder holds package\.json, so it is a project's root/],
    ['an ancestor of the project', 'src', '../..', /^error: --out \.\.\/\.\.: the folder holds the project /],
    ['the folder that holds the spec', '.', 'spec', /^error: --out spec: the folder holds the spec /],
  ] as const) {
    it(`refuses ${what}: exit 2, a message and a hint, nothing written or removed`, () => {
      const impl = what.includes('--impl') ? ['--impl', join(packageRoot, 'examples/mempool.mjs')]
        : [];
      // From src/, the package's spec, so that it is the project that is in the way.
      const spec = cwd === 'src' ? specPath : 'spec/mempool.mps';
      for (const extra of [[], ['--check'], ['--watch']]) {
        // --watch too: refused before it starts watching, so it ends.
        const run = genIn(join(project, cwd), ['gen', '--spec', spec, ...impl, '--out', out,
          ...extra], 30_000);
        expect(run.status, run.stderr).toBe(2);
        expect(run.stderr).toMatch(message);
        expect(run.stderr).toMatch(/\nhint: give gen a folder of its own to write into/);
        expect(run.stdout).toBe('');
        expect(snapshot(project)).toEqual(before);
      }
    }, 120_000);
  }

  it('refuses a folder that holds a .git', () => {
    const repo = join(project, '..', `${project.split('/').pop()}-repo`);
    mkdirSync(join(repo, '.git'), { recursive: true });
    try {
      const run = genIn(project, ['gen', '--out', repo]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/the folder holds \.git, so it is a project's root/);
      expect(readdirSync(repo)).toEqual(['.git']);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('refuses a link to a folder that contains the project, as it refuses the folder', () => {
    const links = mkdtempSync(join(tmpdir(), 'mps-gen-links-'));
    try {
      symlinkSync(join(project, '..'), join(links, 'up'));
      const run = genIn(project, ['gen', '--out', join(links, 'up'), '--check']);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/the folder holds the project /);
      expect(snapshot(project)).toEqual(before);
    } finally {
      rmSync(links, { recursive: true, force: true });
    }
  });
});

describe('mempool-spec gen, files below --out that it did not write', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-gen-cli-foreign-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('removes neither a note that mentions its header nor a gen --impl suite', () => {
    // The reviewer's case, and an older suite (gen's header) where gen writes its suites.
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs/notes.md'),
      'Our CI checks files that say "Generated by mempool-spec"\n');
    const suite = join(dir, 'test/suite');
    const module = join(packageRoot, 'examples/mempool.mjs');
    expect(runCli(['gen', '--spec', specPath, '--impl', module, '--out', suite]).status).toBe(0);
    expect(runCli(['gen', '--spec', specPath, '--impl', module, '--out', join(dir, 'tests')])
      .status).toBe(0);
    const legacy = readFileSync(join(dir, 'tests/validate.test.ts'), 'utf8')
      .replace('run `mempool-spec gen --impl`.', 'run `mempool-spec gen`.');
    writeFileSync(join(dir, 'tests/validate.test.ts'), legacy);
    rmSync(join(dir, 'tests/spec.ir.ts'));
    const theirs = { ...snapshot(join(dir, 'docs')), ...snapshot(suite),
      legacy: readFileSync(join(dir, 'tests/validate.test.ts'), 'utf8') };
    for (const extra of [['--check'], []]) {
      const run = runCli(['gen', '--spec', specPath, '--out', dir, ...extra]);
      expect(run.stderr).toBe('');
      expect(run.stdout).not.toMatch(/removed: /);
      expect(run.stdout).not.toMatch(/[1-9]\d* removed/);
    }
    expect({ ...snapshot(join(dir, 'docs')), ...snapshot(suite),
      legacy: readFileSync(join(dir, 'tests/validate.test.ts'), 'utf8') }).toEqual(theirs);
  }, 60_000);
});

describe('mempool-spec gen, from another working directory', () => {
  // The files record the spec's path relative to the output folder's parent, so how the
  // paths are typed, and from where, changes no byte of the committed generated/.
  for (const [where, cwd, spec, out] of [
    ['from src/, with relative paths', join(packageRoot, 'src'), '../spec/mempool.mps',
      '../generated'],
    ['from the temporary folder, with absolute paths', tmpdir(), specPath,
      join(packageRoot, 'generated')],
    ['from the package, with roundabout paths', packageRoot, './spec/../spec/mempool.mps',
      'generated/'],
  ] as const) {
    it(`finds generated/ up to date ${where}`, () => {
      const run = genIn(cwd, ['gen', '--spec', spec, '--out', out, '--check']);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/is up to date \(41 files/);
      expect(run.status).toBe(0);
    }, 60_000);
  }
});
