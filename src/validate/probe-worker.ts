/**
 * Loads a user's module in a worker of its own and says what it exports, so that a module
 * whose top-level code throws, hangs or crashes is a clear error and never takes the command
 * with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { capabilitiesOf, contractProblems } from './adapt.ts';
import type { UserModule } from '../harness/contract.ts';

const { module } = workerData as { module: string };
try {
  const mod = (await import(module)) as Record<string, unknown>;
  const problems = contractProblems(mod);
  parentPort!.postMessage({
    type: 'probed', problems,
    hasPool: mod.Mempool !== undefined,
    hasMem: mod.MempoolMem !== undefined,
    capabilities: problems.length === 0 ? capabilitiesOf(mod as UserModule) : null,
  });
} catch (error) {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  parentPort!.postMessage({ type: 'failed', message: text });
}
