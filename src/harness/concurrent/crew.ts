import type { ResourceLimits, Worker } from 'node:worker_threads';
import { spawnWorker } from '../spawn.ts';
import type { RoundMessage, WorkerReply } from './shared.ts';
import { Watchdog } from './watchdog.ts';

/** Something that happened to one of the workers, in the order it happened. */
export type CrewEvent =
  | { kind: 'reply'; worker: number; reply: WorkerReply }
  | { kind: 'error'; worker: number; error: Error }
  | { kind: 'exit'; worker: number; code: number }
  | { kind: 'stall'; worker: number; silentMs: number };

/**
 * The concurrent suite's workers, their events as one queue, and their watchdog. `shutdown`
 * terminates every worker and resolves only when each has exited, so no run leaves a worker
 * behind, whatever state the workers were in.
 */
export class Crew {
  readonly watchdog: Watchdog;
  private readonly workers: Worker[];
  private readonly exited: Promise<number>[];
  private readonly queue: CrewEvent[] = [];
  private wake: (() => void) | null = null;
  private closing = false;

  constructor(entry: URL, size: number, data: Record<string, unknown>, watch: Int32Array,
    limits?: ResourceLimits, typescript = false) {
    this.watchdog = new Watchdog(watch, (worker, silentMs) =>
      this.push({ kind: 'stall', worker, silentMs }));
    this.workers = [];
    this.exited = [];
    for (let k = 0; k < size; k++) {
      const worker = spawnWorker(entry, { ...data, index: k }, limits, typescript);
      worker.on('message', (reply: WorkerReply) => this.push({ kind: 'reply', worker: k, reply }));
      worker.on('error', (error) => this.push({ kind: 'error', worker: k, error }));
      this.exited.push(new Promise((resolve) => worker.once('exit', resolve)));
      worker.once('exit', (code) => {
        if (!this.closing) this.push({ kind: 'exit', worker: k, code });
      });
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends worker `k` a round. */
  send(k: number, message: RoundMessage): void {
    this.workers[k].postMessage(message);
  }

  /** The next event, waiting for one if none is queued. */
  async next(): Promise<CrewEvent> {
    while (this.queue.length === 0) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.queue.shift()!;
  }

  /** Stops the watchdog, terminates every worker and waits until all have exited. */
  async shutdown(): Promise<number[]> {
    this.closing = true;
    this.watchdog.stop();
    // terminate() also stops a worker blocked in Atomics.wait or spinning in a loop.
    await Promise.all(this.workers.map((w) => w.terminate()));
    return Promise.all(this.exited);
  }

  private push(event: CrewEvent): void {
    this.queue.push(event);
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
