import { describe, expect, it } from 'vitest';
import { SpecAst } from '../../src/spec/ast.ts';
import { grammar, parseAst } from '../../src/spec/parse.ts';
import { expectRejectedAt, mempoolText, preFixText, replaceOnce } from './helpers.ts';

const header = 'spec s "t"\n';

describe('the grammar', () => {
  it('accepts the mempool spec and its pre-fix variant', () => {
    expect(grammar.match(mempoolText).succeeded()).toBe(true);
    expect(grammar.match(preFixText).succeeded()).toBe(true);
  });

  it('treats # as the start of a comment that runs to the end of the line', () => {
    expect(grammar.match('# a comment\nspec s # another\n"t" # and one more').succeeded()).toBe(
      true,
    );
  });

  it('does not accept a keyword as an identifier, but accepts one that starts with it', () => {
    expect(grammar.match(`${header}lock if`).succeeded()).toBe(false);
    expect(grammar.match(`${header}lock iffy`).succeeded()).toBe(true);
    expect(grammar.match(`${header}param int in 0..1`).succeeded()).toBe(false);
    expect(grammar.match(`${header}param integer in 0..1`).succeeded()).toBe(true);
  });

  it('allows keywords as labels and after the dot of a lock or queue name', () => {
    const text = `${header}op f() { lock pool.lock @lock unlock pool.lock @rmb }`;
    expect(grammar.match(text).succeeded()).toBe(true);
  });
});

describe('parseAst', () => {
  it('builds an AST that the zod schema accepts, with spans inside the text', () => {
    const ast = parseAst({ path: 'spec/mempool.mps', text: mempoolText });
    expect(SpecAst.safeParse(ast).success).toBe(true);
    expect(ast.name.text).toBe('mempool');
    const spans: { start: number; end: number }[] = [];
    JSON.stringify(ast, (key, value) => {
      if (key === 'span') spans.push(value);
      return value;
    });
    expect(spans.length).toBeGreaterThan(500);
    for (const span of spans) {
      expect(span.start).toBeLessThanOrEqual(span.end);
      expect(span.end).toBeLessThanOrEqual(mempoolText.length);
    }
  });

  it('points every name span at the name itself', () => {
    const ast = parseAst({ path: 'x', text: mempoolText });
    for (const decl of ast.decls) {
      expect(mempoolText.slice(decl.name.span.start, decl.name.span.end)).toBe(decl.name.text);
    }
  });

  it('joins adjacent doc strings and undoes the two escapes', () => {
    const text = `${header}lock l "a \\"quoted\\" " "back\\\\slash"`;
    const ast = parseAst({ path: 'x', text });
    expect(ast.decls[0].doc).toBe('a "quoted" back\\slash');
  });
});

describe('syntax errors', () => {
  it('reject an empty file at 1:1', () => {
    const error = expectRejectedAt('', 'syntax', 0);
    expect(error.message).toContain('expected "spec"');
  });

  it('reject garbage at its first character', () => {
    expectRejectedAt('spec s "t"\n\n  %%% garbage', 'syntax', '%');
  });

  it('reject a truncated spec at the end of the file', () => {
    const text = mempoolText.slice(0, mempoolText.indexOf('rmb @rmb'));
    const error = expectRejectedAt(text, 'syntax', text.length);
    expect(error.message).toContain('the end of the file');
  });

  it('reject a spec truncated inside a doc string at the end of the file', () => {
    const text = mempoolText.slice(0, mempoolText.indexOf('"mempool_free()') + 5);
    const error = expectRejectedAt(text, 'syntax', text.length);
    expect(error.message).toBe('unterminated doc string');
  });

  it('reject a name with a quote in it at the quote', () => {
    const text = replaceOnce(mempoolText, 'op free(e: elem)', 'op fr"ee(e: elem)');
    expectRejectedAt(text, 'syntax', '"ee(');
  });

  it('reject a raw newline inside a doc string', () => {
    expectRejectedAt(`${header}lock l "two\nlines"`, 'syntax', '\nlines');
  });

  it('reject an escape other than \\" and \\\\ in a doc string', () => {
    expectRejectedAt(`${header}lock l "tab\\t"`, 'syntax', '\\t');
  });

  it('reject a statement after return, with a hint saying why', () => {
    const text = `${header}op f() {\n  return\n  wmb\n}`;
    const error = expectRejectedAt(text, 'syntax', 'wmb');
    expect(error.hint).toContain('return');
  });

  it('name what was expected with the rule descriptions', () => {
    const error = expectRejectedAt(`${header}param 9 in 0..1`, 'syntax', '9');
    expect(error.message).toContain('an identifier');
  });

  it('reject a number too large to be exact', () => {
    expectRejectedAt(`${header}param p in 0..99999999999999999999`, 'bad-number', '999');
  });
});
