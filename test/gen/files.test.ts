import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyPlan, isGenerated, planWrite, type GeneratedFile } from '../../src/gen/files.ts';
import { GENERATED_MARK } from '../../src/gen/header.ts';

const mark = (body: string): string => `// ${GENERATED_MARK} from spec/x.mps (sha256 0).\n${body}`;

describe('writing generated files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

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
});
