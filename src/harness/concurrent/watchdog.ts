import { heartbeat } from './shared.ts';

/**
 * Watches workers' heartbeats from the main thread, with a timer, so it works while the
 * workers are blocked and never blocks the main thread itself. A worker that is armed and
 * whose heartbeat does not move for its budget is reported once through `onStall`, and the
 * watchdog stops.
 */
export class Watchdog {
  private readonly armed = new Map<number, { beat: number; since: number; budgetMs: number }>();
  private readonly timer: ReturnType<typeof setInterval>;
  private stopped = false;

  constructor(
    private readonly watch: Int32Array,
    private readonly onStall: (worker: number, silentMs: number) => void,
    intervalMs = 25,
  ) {
    this.timer = setInterval(() => this.check(), intervalMs);
  }

  /** Starts watching `worker`: it must beat at least once every `budgetMs`. */
  arm(worker: number, budgetMs: number): void {
    const beat = Atomics.load(this.watch, heartbeat(worker));
    this.armed.set(worker, { beat, since: performance.now(), budgetMs });
  }

  /** Stops watching `worker` (it is idle, waiting for the main thread). */
  disarm(worker: number): void {
    this.armed.delete(worker);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private check(): void {
    const now = performance.now();
    for (const [worker, entry] of this.armed) {
      const beat = Atomics.load(this.watch, heartbeat(worker));
      if (beat !== entry.beat) {
        entry.beat = beat;
        entry.since = now;
      } else if (now - entry.since > entry.budgetMs && !this.stopped) {
        this.stop();
        this.onStall(worker, Math.round(now - entry.since));
        return;
      }
    }
  }
}
