import { spawnSync } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

/* `mempool-spec gen` run as a process, on output folders that are in its way. */

const specPath = join(process.cwd(), 'spec/mempool.mps');

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
      const entry = fileURLToPath(new URL('../support/cli.mts', import.meta.url));
      const run = spawnSync(process.execPath,
        ['--import', 'tsx', entry, 'gen', '--spec', specPath, '--out', '/proc/mempool-spec-out'],
        { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
      expect(run.signal, 'gen did not end within 30 s').toBeNull();
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^\/proc\/mempool-spec-out\/\S+: error\[write-failed\]: .*mkdir/);
      expect(run.stderr).toContain('nothing in the output folder was changed');
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    }, 60_000);
});
