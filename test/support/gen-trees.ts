/**
 * Generated output trees on disk, for tests that type-check or run what gen produced: each
 * tree is written to a folder directly in the package root (the generated suites import the
 * harness as `../../src/harness`, as generated/ does), and one `tsc` program type-checks all
 * of them at once, because tsc's start-up dominates its cost.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import type { GeneratedFile } from '../../src/gen/files.ts';
import { packageRoot } from '../../src/paths.ts';

const run = promisify(execFile);

/** Output trees written for one test file; `remove` deletes them all. */
export interface Trees {
  /** Folder of each tree, relative to the package root, by the tree's name. */
  dirs: Record<string, string>;
  remove(): void;
}

/** Writes each named set of files to `.tmp-<tag>-<pid>-<name>/` in the package root. */
export function writeTrees(tag: string, trees: Record<string, GeneratedFile[]>): Trees {
  const dirs: Record<string, string> = {};
  for (const [name, files] of Object.entries(trees)) {
    const dir = `.tmp-${tag}-${process.pid}-${name}`;
    rmSync(join(packageRoot, dir), { recursive: true, force: true });
    for (const file of files) {
      const target = join(packageRoot, dir, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
    dirs[name] = dir;
  }
  const remove = (): void => {
    for (const dir of Object.values(dirs)) {
      rmSync(join(packageRoot, dir), { recursive: true, force: true });
    }
  };
  return { dirs, remove };
}

/**
 * Type-checks the trees (every one, or those named) in one tsc program with the project's
 * compiler options. Resolves to tsc's diagnostics, one per line, or '' when there are none.
 */
export async function typecheckTrees(trees: Trees, names?: string[]): Promise<string> {
  const dirs = (names ?? Object.keys(trees.dirs)).map((name) => trees.dirs[name]);
  if (dirs.length === 0) return '';
  const config = join(packageRoot, dirs[0], 'tsconfig.typecheck.json');
  writeFileSync(config, JSON.stringify({
    extends: '../tsconfig.json',
    include: dirs.map((d) => `../${d}/**/*.ts`),
  }));
  const tsc = join(packageRoot, 'node_modules/typescript/bin/tsc');
  try {
    await run(process.execPath, [tsc, '-p', config, '--noEmit', '--pretty', 'false'],
      { cwd: packageRoot, maxBuffer: 64 * 1024 * 1024 });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(error);
  }
}

/** The outcome of one test file of a vitest run. */
export interface SuiteOutcome {
  /** The file, relative to the package root. */
  file: string;
  status: string;
  /** The failure messages of its tests, or the file's own message. */
  message: string;
}

/**
 * Runs the given test files (relative to the package root) in a vitest child process of
 * their own, with `env` added to this process's environment (minus vitest's own
 * variables, so the child is a vitest of its own, not a worker of this one).
 */
export async function runSuites(files: string[], env: Record<string, string> = {}):
  Promise<SuiteOutcome[]> {
  const tag = `.tmp-suites-${process.pid}-${files.length}`;
  const config = join(packageRoot, `${tag}.config.mjs`);
  const report = join(packageRoot, `${tag}.json`);
  writeFileSync(config, `export default { test: { include: ${JSON.stringify(files)}, ` +
    "pool: 'forks', testTimeout: 60000 } };\n");
  const vitest = join(packageRoot, 'node_modules/vitest/vitest.mjs');
  const childEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^VITEST/.test(k))),
    ...env,
  };
  try {
    await run(process.execPath, [vitest, 'run', '--config', config, '--root', packageRoot,
      '--reporter=json', `--outputFile=${report}`], { cwd: packageRoot, env: childEnv,
      maxBuffer: 64 * 1024 * 1024 }).catch(() => undefined);
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: { name: string; status: string; message: string;
        assertionResults: { failureMessages: string[] }[] }[];
    };
    return parsed.testResults.map((r) => ({
      file: relative(packageRoot, r.name).split(sep).join('/'),
      status: r.status,
      message: r.assertionResults.flatMap((a) => a.failureMessages).join('\n') || r.message,
    }));
  } finally {
    rmSync(config, { force: true });
    rmSync(report, { force: true });
  }
}

/** Syntax errors TypeScript finds in a generated TS or JS file (no type checking). */
export function syntaxErrors(file: GeneratedFile): string[] {
  const out = ts.transpileModule(file.content, {
    fileName: file.path.replace(/\.mjs$/, '.mts'), reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
