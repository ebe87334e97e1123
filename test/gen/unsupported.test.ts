import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateAll } from '../../src/gen/index.ts';
import { unsupportedOffset } from '../../src/gen/locate.ts';
import { loadSpec, parseSpec, SpecError } from '../../src/spec/load.ts';
import { positionOf } from '../../src/spec/errors.ts';
import { runCli } from '../support/run-cli.ts';

/* `error[gen-unsupported]` points at the construct it names, in the standard format. */

const base = readFileSync('spec/mempool.mps', 'utf8');
const minimal = readFileSync('test/fixtures/specs/minimal.mps', 'utf8');

/** The 1-based line and column of the `nth` (from 0) occurrence of `needle` in `text`. */
function at(text: string, needle: string, nth = 0): { line: number; col: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`no ${needle} in the text`);
  }
  const { line, col } = positionOf(text, offset);
  return { line, col };
}

/** The gen-unsupported error gen gives for `text`. */
function unsupported(text: string, path = 'edited.mps'): SpecError {
  const ir = parseSpec(text, path);
  try {
    generateAll(ir);
  } catch (e) {
    if (e instanceof SpecError && e.code === 'gen-unsupported') return e;
    throw e;
  }
  throw new Error('gen accepted the spec');
}

const replaced = (from: string | RegExp, to: string): string => {
  const text = base.replace(from, to);
  if (text === base) throw new Error(`the spec has no ${String(from)}`);
  return text;
};

describe('gen-unsupported has the place of what it names', () => {
  const cases: { what: string; text: string; message: RegExp; points: [string, number?] }[] = [
    { what: 'an operation the spec lacks: the spec declaration', text: minimal,
      message: /no operation 'create'/, points: ['minimal "'] },
    { what: 'a renamed destroy: the spec declaration',
      text: replaced('op destroy()', 'op destroy_pool()'),
      message: /spec mempool has no operation 'destroy'/, points: ['mempool "'] },
    { what: 'an API operation with the wrong signature: its declaration',
      text: replaced('op destroy() exclusive', 'op destroy(x: int) exclusive'),
      message: /operation destroy must be destroy\(\)/, points: ['destroy(x'] },
    { what: 'an operation named like a member of the pool class: its declaration',
      text: replaced(/^op resize/m, 'op buffer() {\n  return\n}\n\nop resize'),
      message: /operation buffer clashes/, points: ['buffer() {'] },
    { what: 'a lock name herd7 reserves: the lock declaration',
      text: base.replaceAll('pool.lock', 'spin_x.lock'),
      message: /'spin_x_lock' is not a name herd7 reads/, points: ['spin_x.lock'] },
    { what: 'a scenario register herd7 reserves: where the register is first set',
      text: replaced(/r0 = alloc\(false\)\n {4}if r0 != 0/, '__e = alloc(false)\n    if __e != 0'),
      message: /toC: mempool-handoff\+.*'__e' is not a name/, points: ['__e = alloc'] },
    { what: 'two locals that become one TypeScript name: the later one',
      text: replaced('    e = remove_element()\n    # pool->free(element, pool->pool_data);\n' +
        '    free_fn(e)', '    my_e = remove_element()\n    myE = my_e\n    free_fn(myE)'),
      message: /in destroy, 'myE' and 'my_e' both become myE/, points: ['myE = my_e'] },
  ];
  for (const c of cases) {
    it(`for ${c.what}`, () => {
      const error = unsupported(c.text);
      expect(error.message).toMatch(c.message);
      const want = at(c.text, ...c.points);
      expect({ line: error.line, col: error.col }).toEqual(want);
      const lines = error.format().split('\n');
      expect(lines[0]).toBe(`edited.mps:${want.line}:${want.col}: error[gen-unsupported]: ` +
        error.message);
      expect(lines[1]).toContain(c.text.split('\n')[want.line - 1]);
      expect(lines[2]).toMatch(new RegExp(`^ +\\| {${want.col}}\\^$`));
      expect(lines[3]).toMatch(/^hint: /);
    });
  }

  it('maps a litmus test named in a message to its scenario or edge', () => {
    const ir = parseSpec(base, 'spec.mps');
    const src = { path: 'spec.mps', text: base };
    const where = (message: string) => {
      const offset = unsupportedOffset(ir, src, message);
      return offset === undefined ? undefined : positionOf(base, offset).lineText;
    };
    expect(where('toC: mempool-reserve-handoff-no-wmb+lock+rmb: P0 has no instructions'))
      .toBe('edge reserve_handoff');
    expect(where('litmus: mempool-handoff+wmb+rmb: the values of its variables do not settle'))
      .toBe('scenario handoff');
    expect(where('js-litmus: mempool-waiter-vs-refill-2+x: unknown register r9'))
      .toBe('scenario waiter_vs_refill');
    expect(where('litmus: scenario shrink_vs_free never reaches @free.rmb'))
      .toBe('scenario shrink_vs_free');
    expect(where("alloc's parameter 1 must be of type bool")).toBe('op alloc(may_wait: bool) -> elem');
    expect(where('reference: something no construct names'))
      .toBe('spec mempool "Linux kernel mempool (mm/mempool.c) after commit 5b990546"');
  });

  const dir = mkdtempSync(join(tmpdir(), 'mps-unsupported-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the place for a copy of the IR while its file is unchanged, and only then', () => {
    const file = join(dir, 'copy.mps');
    const text = replaced('op destroy()', 'op destroy_pool()');
    writeFileSync(file, text);
    const copy = structuredClone(loadSpec(file));
    copy.source = file;
    const error = (): SpecError => {
      try {
        generateAll(copy);
      } catch (e) {
        if (e instanceof SpecError) return e;
        throw e;
      }
      throw new Error('gen accepted the spec');
    };
    expect({ line: error().line, col: error().col }).toEqual(at(text, 'mempool "'));
    // The file has changed since: its lines are not the IR's, so no place rather than a
    // wrong one.
    writeFileSync(file, '\n\n' + text);
    expect(error().line).toBeUndefined();
    expect(error().format()).toMatch(/^\S+copy\.mps: error\[gen-unsupported\]: /);
  });

  it('prints it from the command line, exit 2, no stack trace, nothing written', () => {
    const file = join(dir, 'renamed.mps');
    const text = replaced('op destroy()', 'op destroy_pool()');
    writeFileSync(file, text);
    const out = join(dir, 'out');
    const run = runCli(['gen', '--spec', file, '--out', out]);
    expect(run.status).toBe(2);
    const { line, col } = at(text, 'mempool "');
    expect(run.stderr).toMatch(new RegExp(`^\\S*renamed\\.mps:${line}:${col}: ` +
      'error\\[gen-unsupported\\]: gen cannot generate from this spec: spec mempool has no ' +
      "operation 'destroy'\\n"));
    expect(run.stderr).toContain(`\n    ${line} | spec mempool "Linux kernel mempool`);
    expect(run.stderr).toMatch(new RegExp(`\\n +\\| {${col}}\\^\\nhint: `));
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });
});
