import { relative, resolve, sep } from 'node:path';
import type { SpecIR } from '../ir.ts';
import type { GeneratedFile } from './files.ts';
import { header } from './header.ts';
import { irLiteral } from './tests.ts';
import { renderTemplate } from './templates.ts';
import { ValidateUsageError } from '../validate/errors.ts';
import { ModuleError, probeModuleSync } from '../validate/module.ts';

/** Time budget of each driver in a suite generated with `--impl` (ms). */
const DRIVER_BUDGET_MS = 40_000;

/**
 * `mempool-spec gen --impl MODULE --out DIR`: a validation suite for a user's pool, to keep in
 * the user's repository and CI. It imports the harness from the installed package
 * (`mempool-spec/validate`) and the module by its path relative to `outDir`, and runs each of
 * `validate`'s drivers as one vitest test. Like every generated file it carries the header
 * and is the same, byte for byte, for the same spec and paths.
 *
 * Unless `probe` is false, the module is first loaded in a worker of a process of its own
 * and checked against the contract, as `validate` does before its drivers run: a suite for
 * a module that cannot be used is never written.
 *
 * @throws ValidateUsageError (exit 2 from the CLI) with the message and hint `validate`
 *   gives, when the module cannot be loaded or does not meet the contract.
 */
export function generateImpl(ir: SpecIR, modulePath: string, outDir: string,
  displayName = modulePath, probe = true): GeneratedFile[] {
  if (probe) {
    try {
      // By the name the user gave, so that the message reads as validate's does.
      probeModuleSync(resolve(displayName) === resolve(modulePath) ? displayName : modulePath);
    } catch (error) {
      if (error instanceof ModuleError) throw new ValidateUsageError(error.message, error.hint);
      throw error;
    }
  }
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
  return files.map((f) => ({ ...f, content: header(ir, 'slash', 'impl') + '\n' + f.content }));
}
