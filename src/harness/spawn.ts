import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * Starts a worker thread running the module at `entry` (a file URL), with `data` as its
 * `workerData` (the shim adds `entry`) and, if given, `resourceLimits` (heap sizes).
 *
 * Run from TypeScript sources (tsx, vitest), the worker starts in `worker-shim.mjs`, which
 * registers tsx before it imports the entry, because Node 20 does not apply loader hooks to
 * worker threads. Run from the compiled package, the entry is JavaScript and starts directly,
 * unless `typescript` says the worker will import a user's TypeScript module: then it starts
 * in the shim too, which needs tsx installed where the package can resolve it.
 */
export function spawnWorker(entry: URL, data: Record<string, unknown>,
  resourceLimits?: ResourceLimits, typescript = false): Worker {
  const workerData = { ...data, entry: entry.href };
  if (typescript || entry.pathname.endsWith('.ts')) {
    const shim = new URL('./worker-shim.mjs', import.meta.url);
    return new Worker(shim, { workerData, resourceLimits });
  }
  return new Worker(entry, { workerData, resourceLimits });
}

/** Whether a module URL or path names TypeScript, which a plain worker cannot import. */
export function isTypeScript(module: string): boolean {
  return /\.[cm]?ts(\?.*)?$/.test(module);
}
