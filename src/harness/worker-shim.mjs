// Worker entry for TypeScript workers on Node 20, whose ESM loader hooks do not reach
// worker threads: register tsx in this thread, then load the real entry it was given.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
