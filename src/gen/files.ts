import { randomBytes } from 'node:crypto';
import {
  existsSync, lstatSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, renameSync,
  rmSync, statSync, writeSync, fsyncSync, rmdirSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFailed } from '../spec/errors.ts';
import { generatedBy, type GenKind } from './header.ts';

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
  /**
   * Files in the way that this kind of gen run did not write (without its generated-file
   * header), also folders, links and special files: never touched.
   */
  foreign: string[];
}

/**
 * Which files a run may take for its own: those whose header says this `kind` of run wrote
 * them, in the folders it writes (each folder of a file it writes, and `folders`).
 */
export interface Owner {
  kind: GenKind;
  /**
   * Folders (relative, `/`-separated) that the run owns even when it writes no file there
   * this time, so that a file left from an earlier run is removed; '' is the output folder.
   */
  folders?: readonly string[];
}

/**
 * Compares the files gen would write with what `outDir` holds now.
 *
 * A file in the way of one gen writes is overwritten (`changed`) only if it carries the
 * header of `owner.kind` in the exact form gen writes (see `generatedBy`). A file gen does not
 * write is removed only if it lies directly in a folder the owner owns (not deeper) and
 * carries that kind's header, or is the temporary file of one gen writes. Nothing else
 * below `outDir` is read or touched.
 */
export function planWrite(outDir: string, files: GeneratedFile[],
  owner: Owner = { kind: 'gen' }): Plan {
  const plan: Plan = { added: [], changed: [], removed: [], unchanged: [], foreign: [] };
  const wanted = new Set(files.map((f) => f.path));
  const blocked = new Set<string>();
  for (const file of files) {
    const target = join(outDir, file.path);
    // A link (or a special file) where gen needs a folder is in the way too: writing
    // through it would put gen's files, or overwrite generated ones, somewhere else.
    const link = linkOnTheWay(outDir, file.path);
    if (link !== null) {
      if (!blocked.has(link.path)) plan.foreign.push(`${link.path} (${link.kind})`);
      blocked.add(link.path);
      continue;
    }
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
    else if (generatedBy(file.path, current) === owner.kind) plan.changed.push(file.path);
    else plan.foreign.push(file.path);
  }
  const folders = new Set([...files.map((f) => folderOf(f.path)), ...(owner.folders ?? [])]);
  for (const folder of [...folders].sort()) {
    for (const path of listFolder(outDir, folder)) {
      if (wanted.has(path)) continue;
      if (isLeftoverTemp(path, wanted)
        || generatedBy(path, readFileSync(join(outDir, path), 'utf8')) === owner.kind) {
        plan.removed.push(path);
      }
    }
  }
  return plan;
}

/**
 * The first folder on the way from `outDir` to the file `path` (relative, `/`-separated)
 * that is a symbolic link or a special file, or null. A missing folder ends the walk (gen
 * makes it); a regular file there is left to the write, which fails with write-failed.
 */
function linkOnTheWay(outDir: string, path: string):
  { path: string; kind: 'symbolic link' | 'special file' } | null {
  const way = firstNonFolder(outDir, path.split('/').slice(0, -1));
  if (way === null || way.kind === 'none' || way.kind === 'file') return null;
  return { path: way.path, kind: way.kind };
}

/**
 * The first of the folders `parts` leads through from `dir` (`a`, `a/b`, ...) that is not a
 * real folder, with what stands there instead; null when every one is a folder.
 */
function firstNonFolder(dir: string, parts: readonly string[]):
  { path: string; kind: Exclude<ReturnType<typeof entryKind>, 'folder'> } | null {
  for (let i = 1; i <= parts.length; i++) {
    const path = parts.slice(0, i).join('/');
    const kind = entryKind(join(dir, path));
    if (kind !== 'folder') return { path, kind };
  }
  return null;
}

/** The folder of a `/`-separated relative path, '' for the output folder itself. */
function folderOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
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
 * The regular files directly in `folder` (relative to `dir`, '' for `dir` itself), as
 * `/`-separated paths relative to `dir`: none if the folder, or any folder on the way to it,
 * is missing or is not a real folder. Symbolic links are neither followed nor listed: a link
 * to another folder of generated files (or to `dir` itself) must not make gen remove the
 * files there, and a broken link is nothing gen can read. FIFOs and other special files are
 * left out too (reading one could block). Subfolders are not entered: gen owns the folders
 * it writes, not what lies below them.
 */
function listFolder(dir: string, folder: string): string[] {
  // The output folder itself may be a link to a folder; nothing below it is followed.
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const parts = folder === '' ? [] : folder.split('/');
  if (firstNonFolder(dir, parts) !== null) return [];
  const full = join(dir, ...parts);
  return readdirSync(full).sort()
    .filter((name) => entryKind(join(full, name)) === 'file')
    .map((name) => (folder === '' ? name : `${folder}/${name}`));
}
