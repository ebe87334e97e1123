import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Capabilities } from '../harness/contract.ts';
import { isTypeScript, spawnWorker } from '../harness/spawn.ts';

/** A module `validate` cannot use: missing, unloadable, or not meeting the contract (exit 2). */
export class ModuleError extends Error {
  constructor(readonly file: string, message: string, readonly hint: string) {
    super(`${file}: ${message}`);
    this.name = 'ModuleError';
  }
}

/** What a user's module offers, found by loading it in a worker. */
export interface ModuleInfo {
  /** The path as given, for messages and replay lines. */
  file: string;
  url: string;
  typescript: boolean;
  /** It exports `Mempool` (a pool on its own SharedArrayBuffer). */
  hasPool: boolean;
  /** It exports `MempoolMem` and `poolWordCount` (a pool over the memory interface). */
  hasMem: boolean;
  capabilities: Required<Capabilities>;
}

const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './probe-worker.ts' : './probe-worker.js',
  import.meta.url);

const PROCESS_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './probe-process.ts'
  : './probe-process.js', import.meta.url);

/**
 * `probeModule` for callers that cannot wait for a promise (`gen --impl`, whose command is
 * synchronous): the probe runs in a node process of its own, which this blocks on. Costs
 * one node start (under a second) on top of loading the module.
 *
 * @throws ModuleError as `probeModule` does, with the same message and hint.
 */
export function probeModuleSync(file: string, loadMs = 20_000): ModuleInfo {
  const entry = fileURLToPath(PROCESS_ENTRY);
  // From the TypeScript sources the entry needs tsx, resolved from here, not from the
  // working directory (which may be a project without it).
  const loader = entry.endsWith('.ts')
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  const run = spawnSync(process.execPath, [...loader, entry, file, String(loadMs)], {
    encoding: 'utf8',
    // The probe times the load itself; this only guards against the process hanging.
    timeout: loadMs + 30_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = run.stdout?.trim().split('\n').at(-1) ?? '';
  let answer: { ok: true; info: ModuleInfo } | { ok: false; file: string; message: string;
    hint: string } | undefined;
  try {
    answer = line ? JSON.parse(line) : undefined;
  } catch {
    answer = undefined;
  }
  if (answer === undefined) {
    const why = run.error?.message ?? (run.stderr.trim().split('\n').at(-1) ||
      `exited with ${run.signal ?? `code ${run.status}`}`);
    throw new Error(`the module probe for ${file} did not answer: ${why}`);
  }
  if (answer.ok) return answer.info;
  // The message came as ModuleError made it, `file: what`; made again from its parts.
  const prefix = `${answer.file}: `;
  throw new ModuleError(answer.file, answer.message.startsWith(prefix)
    ? answer.message.slice(prefix.length) : answer.message, answer.hint);
}

/**
 * Finds the module at `file` (relative to the working directory), loads it in a worker, and
 * checks its exports against the contract (`mempool-spec/contract`).
 *
 * @throws ModuleError when the file is missing, its loading throws, crashes or takes longer
 *   than `loadMs`, or its exports do not meet the contract.
 */
export async function probeModule(file: string, loadMs = 20_000): Promise<ModuleInfo> {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    const what = existsSync(path) ? 'a directory, not a module' : 'no such file';
    throw new ModuleError(file, what, 'give the path of a .js, .mjs or .ts module ' +
      'that exports Mempool or MempoolMem (see README, "Validating your own pool")');
  }
  const url = pathToFileURL(path).href;
  const typescript = isTypeScript(path);
  const worker = spawnWorker(ENTRY, { module: url }, { maxOldGenerationSizeMb: 512 }, typescript);
  type Answer = { type: 'probed'; problems: string[]; hasPool: boolean; hasMem: boolean;
    capabilities: Required<Capabilities> } | { type: 'failed'; message: string };
  let timer: NodeJS.Timeout | undefined;
  const answer = await new Promise<Answer>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (e) => resolve({ type: 'failed', message: `${e.name}: ${e.message}` }));
    worker.once('exit', (code) => resolve({ type: 'failed', message: `exited with code ${code}` }));
    timer = setTimeout(() => resolve({ type: 'failed',
      message: `did not finish loading within ${loadMs} ms (does its top-level code wait?)` }),
    loadMs);
  });
  clearTimeout(timer);
  await worker.terminate();

  if (answer.type === 'failed') {
    const tsx = typescript && /tsx|ERR_MODULE_NOT_FOUND.*tsx|Unknown file extension/.test(
      answer.message);
    const slow = answer.message.startsWith('did not finish loading');
    throw new ModuleError(file, `cannot be loaded: ${answer.message}`, tsx
      ? 'a TypeScript module needs tsx where mempool-spec can resolve it (npm i -D tsx), ' +
        'or compile the module to JavaScript'
      : slow ? 'a module\'s top-level code must return; raise --load-timeout if it is only slow'
      : `run \`node --input-type=module -e "await import('${url}')"\` to see the error`);
  }
  if (answer.problems.length > 0) {
    throw new ModuleError(file, `does not meet the contract:\n  - ${answer.problems.join('\n  - ')}`,
      'see mempool-spec/contract (src/harness/contract.ts) and examples/');
  }
  return { file, url, typescript, hasPool: answer.hasPool, hasMem: answer.hasMem,
    capabilities: answer.capabilities };
}
