import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Why gen will not use a folder as its output folder: the message and a hint. */
export interface OutDirRefusal {
  message: string;
  hint: string;
}

/** Files that make a folder a project's root (or a repository's), never an output folder. */
const ROOT_MARKS = ['package.json', '.git'];

/**
 * Refuses an output folder that gen must not write into (and remove its stale files from):
 * an empty `--out` (which would be the working directory), a folder that holds a
 * package.json or a .git, a folder that holds the spec (at any depth), and a folder that is
 * an ancestor of the project gen runs in or of the spec's project (a folder on the way up
 * from the working directory or from the spec that holds a package.json or a .git).
 * Undefined when `out` is fine. `out` is as given; `specPath` as given too (both are
 * resolved against the working directory).
 */
export function refuseOutDir(out: string, specPath: string): OutDirRefusal | undefined {
  const hint = 'give gen a folder of its own to write into, such as generated (the default ' +
    'of gen) or mempool-spec-tests (of gen --impl); gen writes and removes generated files ' +
    'in the folder it is given';
  if (out.trim() === '') {
    return { message: `--out ${JSON.stringify(out)}: an empty output folder would be the ` +
      'working directory', hint };
  }
  // Compared as the real folders they are: a link to an ancestor of the project is one too.
  const outDir = real(resolve(out));
  for (const mark of ROOT_MARKS) {
    if (existsSync(join(outDir, mark))) {
      return { message: `--out ${out}: the folder holds ${mark}, so it is a project's root, ` +
        'not an output folder', hint };
    }
  }
  const spec = real(resolve(specPath));
  // The project first: of a folder that holds both, that is the more telling reason.
  for (const start of [real(process.cwd()), dirname(spec)]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (within(dir, outDir) && ROOT_MARKS.some((mark) => existsSync(join(dir, mark)))) {
        return { message: `--out ${out}: the folder holds the project ${dir}`, hint };
      }
      if (dirname(dir) === dir) break;
    }
  }
  if (within(spec, outDir)) {
    return { message: `--out ${out}: the folder holds the spec ${specPath}`, hint };
  }
  return undefined;
}

/** `path` with every symbolic link in the part of it that exists resolved. */
function real(path: string): string {
  const tail: string[] = [];
  let head = path;
  while (!existsSync(head) && dirname(head) !== head) {
    tail.unshift(basename(head));
    head = dirname(head);
  }
  try {
    return join(realpathSync(head), ...tail);
  } catch {
    return path;
  }
}

/** True if `path` is `dir` or lies below it. */
function within(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel.split(sep)[0] !== '..' && !isAbsolute(rel));
}
