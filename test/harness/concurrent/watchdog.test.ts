import { describe, expect, it } from 'vitest';
import { heartbeat } from '../../../src/harness/concurrent/shared.ts';
import { Watchdog } from '../../../src/harness/concurrent/watchdog.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Watchdog', () => {
  it('stays quiet while armed workers beat, and reports the one that stops, once', async () => {
    const watch = new Int32Array(new SharedArrayBuffer(16));
    const stalls: number[] = [];
    const dog = new Watchdog(watch, (worker) => stalls.push(worker), 5);
    dog.arm(0, 80);
    dog.arm(1, 80);
    const beating = setInterval(() => Atomics.add(watch, heartbeat(0), 1), 10);
    await sleep(300);
    clearInterval(beating);
    dog.stop();
    expect(stalls).toEqual([1]);
  });

  it('ignores a disarmed worker, however long it is silent', async () => {
    const watch = new Int32Array(new SharedArrayBuffer(16));
    const stalls: number[] = [];
    const dog = new Watchdog(watch, (worker) => stalls.push(worker), 5);
    dog.arm(0, 30);
    dog.disarm(0);
    await sleep(100);
    dog.stop();
    expect(stalls).toEqual([]);
  });
});
