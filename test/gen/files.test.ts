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
import { applyPlan, planWrite, type GeneratedFile } from '../../src/gen/files.ts';
import {
  GENERATED_MARK, generatedBy, header, recordedSpecPath, type GenKind,
} from '../../src/gen/header.ts';
import { generateImpl } from '../../src/gen/impl.ts';
import { generateAll } from '../../src/gen/index.ts';
import type { SpecIR } from '../../src/ir.ts';
import { packageRoot } from '../../src/paths.ts';
import { loadSpec, parseSpec } from '../../src/spec/load.ts';

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

/** Just what `header` reads of an IR. */
const IR = { source: 'spec/x.mps', sha256: 'ab'.repeat(32) } as SpecIR;

/** `body` with the header a run of `kind` writes on a TypeScript file. */
const mark = (body: string, kind: GenKind = 'gen'): string =>
  `${header(IR, 'slash', kind)}\n${body}`;

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
    // gen owns the folder even though it writes nothing there now.
    const plan = planWrite(dir, [], { kind: 'gen', folders: ['gone'] });
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

  it('counts a linked folder where it would write files as in the way, and writes nothing ' +
    'through it', () => {
    const other = mkdtempSync(join(tmpdir(), 'mps-files-other-'));
    try {
      writeFileSync(join(other, 'a.ts'), mark('old'));
      symlinkSync(other, join(dir, 'litmus'));
      const files: GeneratedFile[] = [
        { path: 'litmus/a.ts', content: mark('new') },
        { path: 'litmus/js/b.ts', content: mark('b') },
        { path: 'reference/c.ts', content: mark('c') },
      ];
      const plan = planWrite(dir, files);
      expect(plan.foreign).toEqual(['litmus (symbolic link)']);
      expect(plan.added).toEqual(['reference/c.ts']);
      expect(() => applyPlan(dir, files, plan)).toThrow(/refusing/);
      expect(readFileSync(join(other, 'a.ts'), 'utf8')).toBe(mark('old'));
      expect(readdirSync(other)).toEqual(['a.ts']);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('leaves no temporary file behind after writing', () => {
    const files: GeneratedFile[] = [{ path: 'x.ts', content: mark('x') }];
    applyPlan(dir, files, planWrite(dir, files));
    expect(readdirSync(dir)).toEqual(['x.ts']);
  });

  it('recognises its header only at the top, in the exact form, and says which run wrote it',
    () => {
      expect(generatedBy('a.ts', mark('x'))).toBe('gen');
      expect(generatedBy('a.mjs', mark('x', 'impl'))).toBe('impl');
      // Checked out with Windows line ends, still gen's.
      expect(generatedBy('a.ts', mark('x').replace(/\n/g, '\r\n'))).toBe('gen');
      // Not a file kind gen writes, so not gen's whatever it says.
      expect(generatedBy('a.md', mark('x'))).toBeUndefined();
      fc.assert(
        fc.property(fc.array(fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n')),
          { maxLength: 20 }), fc.nat(20), (lines, at) => {
          // The header anywhere but on the first lines, or the words alone, do not count.
          const moved = [...lines];
          moved.splice(Math.min(at, moved.length), 0, ...mark('').split('\n'));
          expect(generatedBy('a.ts', moved.join('\n')))
            .toBe(at === 0 || lines.length === 0 ? 'gen' : undefined);
          const words = [`// ${GENERATED_MARK}`, ...lines].join('\n');
          expect(generatedBy('a.ts', words)).toBeUndefined();
          expect(generatedBy('a.ts', `${GENERATED_MARK} from spec/x.mps\n${mark('')}`))
            .toBeUndefined();
        }),
      );
    });

  it('knows every file of gen for gen\'s, and every file of gen --impl for gen --impl\'s', () => {
    const ir = loadSpec(join(packageRoot, 'spec/mempool.mps'));
    for (const file of generateAll(ir).files) {
      expect(generatedBy(file.path, file.content), file.path).toBe('gen');
    }
    const impl = generateImpl(ir, join(packageRoot, 'examples/mempool.mjs'), dir, 'pool.mjs',
      false);
    for (const file of impl) expect(generatedBy(file.path, file.content), file.path).toBe('impl');
  });

  it('records the spec path relative to the output folder\'s parent, whatever the cwd', () => {
    const root = packageRoot;
    expect(recordedSpecPath(join(root, 'spec/mempool.mps'), join(root, 'generated')))
      .toBe('spec/mempool.mps');
    expect(recordedSpecPath(join(root, 'spec/mempool.mps'), join(root, 'test/mempool-spec')))
      .toBe('../spec/mempool.mps');
    // Specs loaded by different paths (so with different `source`s) give the same files
    // once the recorded path is given, and it is what they record.
    const text = readFileSync(join(root, 'spec/mempool.mps'), 'utf8');
    const files = (typed: string) => generateAll(parseSpec(text, typed), 'spec/mempool.mps').files;
    const fromSrc = files('../spec/mempool.mps');
    expect(files(join(root, 'spec/mempool.mps'))).toEqual(fromSrc);
    for (const file of fromSrc) {
      expect(file.content, file.path).not.toContain('../spec');
      expect(file.content, file.path).toContain('Generated by mempool-spec from spec/mempool.mps ');
    }
    expect(fromSrc.find((f) => f.path === 'tests/spec.ir.ts')?.content)
      .toContain('"source": "spec/mempool.mps"');
  });

  it('removes no file outside the folders gen writes, nor below them, whatever it says', () => {
    // The reviewer's case: a note that mentions the words, and a --impl suite, below --out.
    const note = 'Our CI checks files that say "Generated by mempool-spec"\n';
    const theirs: [string, string][] = [
      ['docs/notes.md', note],
      ['docs/notes.ts', `// ${GENERATED_MARK}\n`],
      // gen's exact header, but in a folder gen does not write, or deeper than one it does.
      ['other/old.ts', mark('old')],
      ['a/deeper/old.ts', mark('old')],
      ['old.ts', mark('old')],
    ];
    for (const [path, text] of theirs) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const files: GeneratedFile[] = [{ path: 'a/one.ts', content: mark('1') }];
    const plan = planWrite(dir, files, { kind: 'gen', folders: ['a', 'gone'] });
    expect(plan).toEqual({ added: ['a/one.ts'], changed: [], removed: [], unchanged: [],
      foreign: [] });
    applyPlan(dir, files, plan);
    for (const [path, text] of theirs) expect(readFileSync(join(dir, path), 'utf8')).toBe(text);
  });

  it('neither removes nor overwrites the files of the other kind of run', () => {
    // A gen --impl suite where gen writes, and gen's files where gen --impl writes.
    mkdirSync(join(dir, 'tests'));
    writeFileSync(join(dir, 'tests/validate.test.ts'), mark('suite', 'impl'));
    writeFileSync(join(dir, 'tests/spec.ir.ts'), mark('suite ir', 'impl'));
    const gen: GeneratedFile[] = [{ path: 'tests/model.test.ts', content: mark('model') }];
    const genPlan = planWrite(dir, [...gen, { path: 'tests/spec.ir.ts', content: mark('ir') }]);
    expect(genPlan.removed).toEqual([]);
    expect(genPlan.foreign).toEqual(['tests/spec.ir.ts']);
    applyPlan(dir, gen, planWrite(dir, gen));
    expect(readFileSync(join(dir, 'tests/validate.test.ts'), 'utf8')).toBe(mark('suite', 'impl'));

    // gen --impl into tests/: it neither overwrites gen's file there nor removes gen's file
    // in its own folder, but removes its own suite's file that it no longer writes.
    writeFileSync(join(dir, 'tests/old.test.ts'), mark('gen wrote this'));
    const impl: GeneratedFile[] = [{ path: 'spec.ir.ts', content: mark('ir', 'impl') }];
    const implPlan = planWrite(join(dir, 'tests'), [
      ...impl, { path: 'model.test.ts', content: mark('x', 'impl') }], { kind: 'impl' });
    expect(implPlan.foreign).toEqual(['model.test.ts']);
    expect(implPlan.changed).toEqual(['spec.ir.ts']);
    expect(implPlan.removed).toEqual(['validate.test.ts']);
  });

  it('takes a --impl suite with the header from before it named --impl for a --impl suite',
    () => {
      // Written by an older gen --impl, with gen's header: gen --impl rewrites it, gen leaves
      // it be, also in a folder gen writes.
      const old = mark("\nimport type { SpecIR } from 'mempool-spec/validate';\n");
      expect(generatedBy('spec.ir.ts', old)).toBe('impl');
      mkdirSync(join(dir, 'tests'));
      writeFileSync(join(dir, 'tests/spec.ir.ts'), old);
      writeFileSync(join(dir, 'tests/validate.test.ts'), old);
      const gen: GeneratedFile[] = [{ path: 'tests/model.test.ts', content: mark('model') }];
      expect(planWrite(dir, gen).removed).toEqual([]);
      const impl: GeneratedFile[] = [{ path: 'spec.ir.ts', content: mark('new', 'impl') }];
      const plan = planWrite(join(dir, 'tests'), impl, { kind: 'impl' });
      expect(plan.changed).toEqual(['spec.ir.ts']);
      applyPlan(join(dir, 'tests'), impl, plan);
      expect(readFileSync(join(dir, 'tests/spec.ir.ts'), 'utf8')).toBe(mark('new', 'impl'));
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
