import { relative, sep } from 'node:path';
import type { SpecIR } from '../ir.ts';
import type { GeneratedFile } from './files.ts';
import { header } from './header.ts';
import { irLiteral } from './tests.ts';
import { renderTemplate } from './templates.ts';

/** Time budget of each driver in a suite generated with `--impl` (ms). */
const DRIVER_BUDGET_MS = 40_000;

/**
 * `mempool-spec gen --impl MODULE --out DIR`: a validation suite for a user's pool, to keep in
 * the user's repository and CI. It imports the harness from the installed package
 * (`mempool-spec/validate`) and the module by its path relative to `outDir`, and runs each of
 * `validate`'s drivers as one vitest test. Like every generated file it carries the header
 * and is the same, byte for byte, for the same spec and paths.
 */
export function generateImpl(ir: SpecIR, modulePath: string, outDir: string,
  displayName = modulePath): GeneratedFile[] {
  let rel = relative(outDir, modulePath).split(sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  const files = [
    { path: 'spec.ir.ts', content: renderTemplate('impl/spec.ir.ts.hbs', {
      name: ir.name, module: rel, irJson: irLiteral(ir),
    }) },
    { path: 'validate.test.ts', content: renderTemplate('impl/validate.test.ts.hbs', {
      name: ir.name, module: rel, moduleUrl: rel,
      describeTitle: `${displayName} against ${ir.name}: ${ir.title}`,
      // Two of the four drivers' shares, at most, with shrinking and shutdown on top.
      budgetMs: DRIVER_BUDGET_MS, timeoutMs: DRIVER_BUDGET_MS * 2 + 30_000,
    }) },
  ];
  return files.map((f) => ({ ...f, content: header(ir, 'slash') + '\n' + f.content }));
}
