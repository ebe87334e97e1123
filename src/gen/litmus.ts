import type { SpecIR } from '../ir.ts';
import { compileLitmus, type CompiledLitmus } from '../litmus/compile.ts';
import { toC } from '../litmus/c.ts';
import { enumerate } from '../litmus/enumerate.ts';
import { toJsModel } from '../litmus/js.ts';
import type { Verdict } from '../litmus/types.ts';
import { generateJsLitmus } from './js-litmus.ts';
import type { GeneratedFile } from './files.ts';
import { headerLines } from './header.ts';
import { commentText } from './templates.ts';

/** A compiled litmus test with the verdicts the memory model gives it. */
export interface JudgedLitmus {
  compiled: CompiledLitmus;
  /** The kernel memory model's verdict, as this project's interpreter computes it. */
  verdict: Verdict;
  /** The verdict for the same program as JavaScript runs it (Atomics for protected vars). */
  jsVerdict: Verdict;
}

/**
 * Compiles every scenario and edge ablation of the spec and judges each with the
 * interpreter's memory model. This is where every `Result:` line comes from.
 */
export function judgeLitmus(ir: SpecIR): JudgedLitmus[] {
  return compileLitmus(ir).map((compiled) => ({
    compiled,
    verdict: enumerate(compiled.test).verdict,
    jsVerdict: enumerate(toJsModel(compiled.test, compiled.protectedVars)).verdict,
  }));
}

/**
 * The kernel C litmus files and the JavaScript worker harnesses. herd7 requires `C name` on
 * the first line, so a litmus file carries the generated-file header inside its comment
 * block, after the `Result:` line and the explanation.
 */
export function generateLitmus(ir: SpecIR, judged: JudgedLitmus[]): GeneratedFile[] {
  const cFiles = judged.map(({ compiled, verdict }) => {
    // Doc lines carry spec text: `(*`/`*)` in it would open or close herd7's comment.
    const doc = [...compiled.test.doc.map(commentText), '', ...headerLines(ir, 'gen')];
    return {
      path: `litmus/${compiled.test.name}.litmus`,
      content: toC({ ...compiled.test, doc }, verdict),
      headerIncluded: true,
    };
  });
  const jsFiles = generateJsLitmus(
    judged.map(({ compiled, jsVerdict }) => ({
      test: compiled.test,
      protectedVars: compiled.protectedVars,
      jsVerdict,
    })),
  );
  return [...cFiles, ...jsFiles];
}
