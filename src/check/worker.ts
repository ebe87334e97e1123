import { parentPort } from 'node:worker_threads';
import { CheckSpecError, compileOps } from './program.ts';
import { searchConfig } from './index.ts';
import type { ConfigJob, WorkerMessage } from './parallel.ts';
import { withoutEdges } from './ablate.ts';

/**
 * A worker of `checkSpecParallel`: searches the configurations it is sent, one at a time,
 * and answers each with its outcome. Errors go back as messages, for the main thread to
 * report as `checkSpec` would have.
 */
const port = parentPort!;
port.on('message', (job: ConfigJob) => {
  const post = (msg: WorkerMessage): void => port.postMessage(msg);
  try {
    const without = job.opts.without ?? [];
    const ir = without.length > 0 ? withoutEdges(job.ir, without) : job.ir;
    const outcome = searchConfig(ir, compileOps(ir), job.config, { ...job.opts,
      onProgress: (line) => post({ kind: 'progress', index: job.index, line }) });
    post({ kind: 'done', index: job.index, outcome });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ kind: 'failed', index: job.index, message: e.message, name: e.name,
      place: err instanceof CheckSpecError ? err.place : undefined });
  }
});
