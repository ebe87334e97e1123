import { randomBytes } from 'node:crypto';
import {
  existsSync, lstatSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, renameSync,
  rmSync, statSync, writeSync, fsyncSync, rmdirSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { writeFailed } from '../spec/errors.ts';
import { GENERATED_MARK } from './header.ts';

/** One output file, its path relative to the output folder. */
export interface GeneratedFile {
  path: string;
  content: string;
  /** True when the generator already placed the header (litmus files, where herd7 rules). */
  headerIncluded?: boolean;
}

/** What writing a set of files would do to an output folder. */
export interface Plan {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
  /** Files in the way that gen did not write (no generated-file header): never touched. */
  foreign: string[];
}

/** How many lines from the top gen looks for its header (litmus files have it lower). */
const MARK_WINDOW = 40;

/** True if `text` is a file mempool-spec generated (it carries the header near the top). */
export function isGenerated(text: string): boolean {
  return text.split('\n', MARK_WINDOW).some((line) => line.includes(GENERATED_MARK));
}

/** Compares the files gen would write with what `outDir` holds now. */
export function planWrite(outDir: string, files: GeneratedFile[]): Plan {
  const plan: Plan = { added: [], changed: [], removed: [], unchanged: [], foreign: [] };
  const wanted = new Set(files.map((f) => f.path));
  for (const file of files) {
    const target = join(outDir, file.path);
    const kind = entryKind(target);
    if (kind === 'none') {
      plan.added.push(file.path);
      continue;
    }
    if (kind !== 'file') {
      // A folder, a symbolic link (gen writes regular files only, so a link is not its
      // doing, and its rename would replace the link) or a special file where gen writes a
      // file is in the way, like any file gen did not write.
      plan.foreign.push(kind === 'folder' ? `${file.path}/` : `${file.path} (${kind})`);
      continue;
    }
    const current = readFileSync(target, 'utf8');
    if (current === file.content) plan.unchanged.push(file.path);
    else if (isGenerated(current)) plan.changed.push(file.path);
    else plan.foreign.push(file.path);
  }
  for (const path of listFiles(outDir)) {
    if (wanted.has(path)) continue;
    if (isLeftoverTemp(path, wanted) || isGenerated(readFileSync(join(outDir, path), 'utf8'))) {
      plan.removed.push(path);
    }
  }
  return plan;
}

/** How `stage` names its temporary files: the target's name, 8 hex digits, `.tmp`. */
const TEMP_SUFFIX = /\.[0-9a-f]{8}\.tmp$/;

/**
 * True for a temporary file that a gen killed before its rename left behind: it is named as
 * `stage` names them, after a file gen writes. It may be too short to carry the
 * header, so the name is what identifies it.
 */
function isLeftoverTemp(path: string, wanted: Set<string>): boolean {
  return TEMP_SUFFIX.test(path) && wanted.has(path.replace(TEMP_SUFFIX, ''));
}

/**
 * Carries out a plan in two phases. First every new content is written to a temporary file
 * next to its target; if any write fails (a full disk, a file where a folder should be),
 * the temporary files and the folders made for them are removed, and the folder is left
 * exactly as it was. Then each temporary file is renamed over its target, so a reader, or a
 * gen killed at any moment, never sees half a file; only a failure or a kill during the
 * renames leaves some targets new and the rest old, each of them whole. Last, generated
 * files whose source is gone are removed. Foreign files must have been refused before.
 *
 * @throws SpecError `write-failed`, naming the file and saying whether anything changed.
 */
export function applyPlan(outDir: string, files: GeneratedFile[], plan: Plan): void {
  if (plan.foreign.length > 0) throw new Error('refusing to overwrite files gen did not write');
  const toWrite = new Set([...plan.added, ...plan.changed]);
  const staged: { temp: string; target: string }[] = [];
  const madeDirs: string[] = [];
  let renamed = 0;
  let current = outDir;
  try {
    for (const file of files) {
      if (!toWrite.has(file.path)) continue;
      current = join(outDir, file.path);
      staged.push(stage(current, file.content, madeDirs));
    }
    for (const { temp, target } of staged) {
      current = target;
      renameSync(temp, target);
      renamed++;
    }
  } catch (error) {
    for (const { temp } of staged.slice(renamed)) rmSync(temp, { force: true });
    if (renamed === 0) madeDirs.reverse().forEach(removeEmptyTree);
    const reason = error instanceof Error ? error.message : String(error);
    throw writeFailed(current, reason, renamed > 0);
  }
  for (const path of plan.removed) {
    rmSync(join(outDir, path));
    removeEmptyParents(outDir, dirname(join(outDir, path)));
  }
}

/**
 * Writes `content` to a new temporary file next to `target`, creating its folder (the
 * first folder it had to make goes on `madeDirs`), and returns both names. A write that
 * fails takes its temporary file with it; one that a kill cuts short leaves it, and the
 * next `planWrite` lists it for removal (see `isLeftoverTemp`).
 */
function stage(target: string, content: string, madeDirs: string[]):
  { temp: string; target: string } {
  const made = makeFolders(dirname(target));
  if (made !== undefined) madeDirs.push(made);
  const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return { temp, target };
}

/**
 * Makes `dir` and the folders above it that are missing, one level at a time, and returns
 * the first (highest) one it made, or undefined if `dir` was there. Not `mkdirSync(dir,
 * { recursive: true })`: under /proc, Node's recursive mkdir loops forever between ENOENT
 * and EEXIST; here every failing mkdir throws (ENOENT under /proc, EPERM under /sys, ...).
 */
function makeFolders(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = dir; entryKind(d) === 'none'; d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
  return missing[0];
}

/** Removes `dir` and the folders below it, bottom up, as long as each is empty. */
function removeEmptyTree(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
  for (const name of readdirSync(dir)) removeEmptyTree(join(dir, name));
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

function removeEmptyParents(root: string, dir: string): void {
  while (dir !== root && dir.startsWith(root) && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    dir = dirname(dir);
  }
}

/**
 * What stands at `path`, without following a symbolic link: nothing (also when a part of the
 * path is a file, which the write then reports), a regular file, a folder, a link, or
 * another kind of file (a FIFO, a socket, a device).
 */
function entryKind(path: string): 'none' | 'file' | 'folder' | 'symbolic link' | 'special file' {
  let stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'none';
    throw error;
  }
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'folder';
  return stats.isSymbolicLink() ? 'symbolic link' : 'special file';
}

/**
 * Every regular file below `dir`, as `/`-separated paths relative to it. Symbolic links
 * below `dir` are neither followed nor listed: a link to another folder of generated files
 * (or to `dir` itself) must not make gen remove the files there, and a broken link is
 * nothing gen can read. FIFOs and other special files are left out too (reading one could
 * block).
 */
function listFiles(dir: string): string[] {
  // The output folder itself may be a link to a folder; nothing below it is followed.
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const kind = entryKind(full);
      if (kind === 'folder') walk(full);
      else if (kind === 'file') out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}
