import { spawn } from 'node:child_process';
import {
  mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { applyPlan, isGenerated, planWrite, type GeneratedFile } from '../../src/gen/files.ts';
import { GENERATED_MARK } from '../../src/gen/header.ts';

/** Faults the fs below injects into gen's writes: the n-th call (from 0) fails. */
const faults = vi.hoisted(() => ({ failRename: -1, cutWrite: -1, renames: 0, writes: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    renameSync: (from: string, to: string) => {
      if (faults.renames++ === faults.failRename) {
        throw Object.assign(new Error('EIO: i/o error, rename (injected)'), { code: 'EIO' });
      }
      fs.renameSync(from, to);
    },
    // Only the string form gen uses: a cut write stores half the text, then fails, as a
    // full disk would.
    writeSync: (fd: number, text: string) => {
      if (faults.writes++ === faults.cutWrite) {
        fs.writeSync(fd, text.slice(0, text.length >> 1));
        throw Object.assign(new Error('ENOSPC: no space left on device, write (injected)'),
          { code: 'ENOSPC' });
      }
      return fs.writeSync(fd, text);
    },
  };
});

/** Every file below `dir`, relative to it. */
const tree = (dir: string): string[] =>
  (readdirSync(dir, { recursive: true }) as string[]).filter((p) => p.includes('.')).sort();

const mark = (body: string): string => `// ${GENERATED_MARK} from spec/x.mps (sha256 0).\n${body}`;

describe('writing generated files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-files-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    Object.assign(faults, { failRename: -1, cutWrite: -1, renames: 0, writes: 0 });
  });

  it('adds new files, then finds nothing to do when the same files are planned again', () => {
    const files: GeneratedFile[] = [
      { path: 'a/one.ts', content: mark('1') },
      { path: 'two.ts', content: mark('2') },
    ];
    const first = planWrite(dir, files);
    expect(first.added).toEqual(['a/one.ts', 'two.ts']);
    applyPlan(dir, files, first);
    const second = planWrite(dir, files);
    expect(second).toEqual({ added: [], changed: [], removed: [], unchanged: ['a/one.ts', 'two.ts'],
      foreign: [] });
  });

  it('removes a generated file whose source is gone, and the folder it leaves empty', () => {
    const old: GeneratedFile[] = [{ path: 'gone/x.ts', content: mark('x') }];
    applyPlan(dir, old, planWrite(dir, old));
    const plan = planWrite(dir, []);
    expect(plan.removed).toEqual(['gone/x.ts']);
    applyPlan(dir, [], plan);
    expect(existsSync(join(dir, 'gone'))).toBe(false);
  });

  it('never plans to overwrite or remove a file without the generated-file header', () => {
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a/one.ts'), 'my own code\n');
    writeFileSync(join(dir, 'notes.ts'), 'also mine\n');
    const files: GeneratedFile[] = [{ path: 'a/one.ts', content: mark('1') }];
    const plan = planWrite(dir, files);
    expect(plan.foreign).toEqual(['a/one.ts']);
    expect(plan.removed).toEqual([]);
    expect(() => applyPlan(dir, files, plan)).toThrow(/refusing/);
    expect(readFileSync(join(dir, 'a/one.ts'), 'utf8')).toBe('my own code\n');
  });

  it('counts a folder where it would write a file as in the way, and leaves it be', () => {
    mkdirSync(join(dir, 'x.ts'));
    writeFileSync(join(dir, 'x.ts', 'keep.txt'), 'mine\n');
    const files: GeneratedFile[] = [{ path: 'x.ts', content: mark('x') }];
    const plan = planWrite(dir, files);
    expect(plan.foreign).toEqual(['x.ts/']);
    expect(() => applyPlan(dir, files, plan)).toThrow(/refusing/);
    expect(readFileSync(join(dir, 'x.ts', 'keep.txt'), 'utf8')).toBe('mine\n');
  });

  it('follows no link below the output folder: removes nothing through one, reads no broken one',
    () => {
      // Another folder of generated files, linked from the output folder; a broken link; a
      // link back to the output folder itself.
      const other = mkdtempSync(join(tmpdir(), 'mps-files-other-'));
      try {
        writeFileSync(join(other, 'theirs.ts'), mark('theirs'));
        symlinkSync(other, join(dir, 'linked'));
        symlinkSync(join(dir, 'no-such-file'), join(dir, 'broken.ts'));
        symlinkSync(dir, join(dir, 'loop'));
        const files: GeneratedFile[] = [{ path: 'x.ts', content: mark('x') }];
        const plan = planWrite(dir, files);
        expect(plan).toEqual({ added: ['x.ts'], changed: [], removed: [], unchanged: [],
          foreign: [] });
        applyPlan(dir, files, plan);
        expect(readFileSync(join(other, 'theirs.ts'), 'utf8')).toBe(mark('theirs'));
        expect(readdirSync(dir).sort()).toEqual(['broken.ts', 'linked', 'loop', 'x.ts']);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

  it('counts a link where it would write a file as in the way, broken or not', () => {
    writeFileSync(join(dir, 'target.ts'), mark('x'));
    symlinkSync(join(dir, 'target.ts'), join(dir, 'x.ts'));
    symlinkSync(join(dir, 'no-such-file'), join(dir, 'y.ts'));
    const files: GeneratedFile[] = [
      { path: 'x.ts', content: mark('x') }, { path: 'y.ts', content: mark('y') },
    ];
    const plan = planWrite(dir, files);
    expect(plan.foreign).toEqual(['x.ts (symbolic link)', 'y.ts (symbolic link)']);
    expect(() => applyPlan(dir, files, plan)).toThrow(/refusing/);
  });

  it('leaves no temporary file behind after writing', () => {
    const files: GeneratedFile[] = [{ path: 'x.ts', content: mark('x') }];
    applyPlan(dir, files, planWrite(dir, files));
    expect(readdirSync(dir)).toEqual(['x.ts']);
  });

  it('recognises its header anywhere in the first lines, and only there', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n')
        && !s.includes(GENERATED_MARK)), { maxLength: 60 }), fc.nat(80), (lines, at) => {
        const withMark = [...lines];
        withMark.splice(Math.min(at, withMark.length), 0, `(* ${GENERATED_MARK} *)`);
        const index = withMark.findIndex((l) => l.includes(GENERATED_MARK));
        expect(isGenerated(withMark.join('\n'))).toBe(index < 40);
        expect(isGenerated(lines.join('\n'))).toBe(false);
      }),
    );
  });

  const versions = (tag: string, size = 200): GeneratedFile[] =>
    ['a/one.ts', 'b/two.ts', 'three.ts']
      .map((path) => ({ path, content: mark(`${tag} ${path}\n`.repeat(size)) }));

  type Versions = GeneratedFile[];
  for (const [fault, set, expected] of [
    // Renames come after every write has succeeded, in order: the first file is new.
    ['a rename that fails', () => { faults.failRename = 1; },
      (old: Versions, next: Versions) => [next[0].content, old[1].content, old[2].content]],
    // A failed write stops gen before any rename: the folder is as it was.
    ['a write cut short by a full disk', () => { faults.cutWrite = 1; },
      (old: Versions) => old.map((f) => f.content)],
  ] as const) {
    it(`leaves every file whole, old or new, and no temporary file, after ${fault}`, () => {
      const old = versions('old');
      applyPlan(dir, old, planWrite(dir, old));
      Object.assign(faults, { renames: 0, writes: 0 });
      set();
      const next = versions('new');
      expect(() => applyPlan(dir, next, planWrite(dir, next))).toThrow(
        expect.objectContaining({ code: 'write-failed', message: expect.stringMatching(
          /cannot write this generated file: .*injected/) }));
      expect(tree(dir)).toEqual(['a/one.ts', 'b/two.ts', 'three.ts']);
      const now = next.map((f) => readFileSync(join(dir, f.path), 'utf8'));
      expect(now).toEqual(expected(old, next));

      // The next gen finishes the job.
      Object.assign(faults, { failRename: -1, cutWrite: -1 });
      applyPlan(dir, next, planWrite(dir, next));
      expect(planWrite(dir, next).unchanged).toHaveLength(3);
    });
  }

  it('changes nothing, not even a folder, when a file stands where gen needs a folder', () => {
    writeFileSync(join(dir, 'b'), 'in the way\n');
    const next = versions('new');
    expect(() => applyPlan(dir, next, planWrite(dir, next))).toThrow(
      expect.objectContaining({ code: 'write-failed', file: join(dir, 'b/two.ts'),
        message: expect.stringContaining('nothing in the output folder was changed') }));
    expect(readdirSync(dir)).toEqual(['b']);
  });

  it('leaves every file whole when killed mid-write, and the next run removes its debris',
    async () => {
      // Large files, so that most kills land inside a write rather than between two.
      const [a, b] = [versions('a', 100_000), versions('b', 100_000)];
      const spec = join(dir, 'versions.json');
      writeFileSync(spec, JSON.stringify([a, b]));
      const out = join(dir, 'out');
      const script = fileURLToPath(new URL('../support/write-loop.mts', import.meta.url));
      for (let kill = 0; kill < 3; kill++) {
        const child = spawn(process.execPath, ['--import', 'tsx', script, out, spec],
          { stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise<void>((resolve, reject) => {
          child.stdout.once('data', () => resolve());
          child.once('exit', (code) => reject(new Error(`the writer exited early (${code})`)));
        });
        // It is now writing round after round; SIGKILL gives it no chance to clean up. Some
        // kills land inside a write (leaving a temporary file), some between two: either
        // way every target must be whole. The injected faults above are the deterministic
        // version of the same.
        await new Promise((resolve) => setTimeout(resolve, 5 + kill * 7));
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        for (const [i, file] of a.entries()) {
          const now = readFileSync(join(out, file.path), 'utf8');
          expect([a[i].content, b[i].content]).toContain(now);
        }
        const debris = tree(out).filter((p) => p.endsWith('.tmp'));
        const plan = planWrite(out, a);
        expect(plan.removed.sort()).toEqual(debris);
        expect(plan.foreign).toEqual([]);
      }
      applyPlan(out, a, planWrite(out, a));
      expect(tree(out)).toEqual(['a/one.ts', 'b/two.ts', 'three.ts']);
    }, 60_000);
});
