import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { watchSpec } from '../../src/gen/watch.ts';
import { mempoolText, replaceOnce } from '../spec/helpers.ts';

const entry = fileURLToPath(new URL('../support/cli.mts', import.meta.url));
const TITLE = '"Linux kernel mempool (mm/mempool.c) after commit 5b990546"';

/** A running `mempool-spec gen --watch`, its output so far, and a way to wait for a line. */
class Watcher {
  out = '';
  err = '';
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => this.feed(() => (this.out += d)));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => this.feed(() => (this.err += d)));
    this.exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
  }

  private feed(append: () => void): void {
    append();
    for (const w of this.waiters) w();
  }

  /** Resolves once `count` matches of `pattern` have appeared on stdout or stderr. */
  until(stream: 'out' | 'err', pattern: RegExp, count: number): Promise<void> {
    const global = new RegExp(pattern.source, pattern.flags + 'g');
    const seen = () => (this[stream].match(global) ?? []).length >= count;
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(
        `timed out waiting for ${count}x ${pattern} on std${stream}\nstdout:\n${this.out}\n` +
          `stderr:\n${this.err}`)), 30_000);
      const check = () => {
        if (seen()) {
          clearTimeout(timer);
          done();
        }
      };
      this.waiters.push(check);
      check();
    });
  }
}

describe('mempool-spec gen --watch', () => {
  let dir: string | undefined;
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('regenerates on every change, reports a broken spec without exiting, stops on Ctrl-C',
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'mps-watch-'));
      const spec = join(dir, 'mempool.mps');
      const out = join(dir, 'out');
      writeFileSync(spec, mempoolText);
      child = spawn(process.execPath, ['--import', 'tsx', entry, 'gen', '--watch', '--spec', spec,
        '--out', out], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      const w = new Watcher(child);

      // The first generation runs at once.
      await w.until('out', /^gen: \d+ files/m, 1);
      await w.until('err', /watch: watching/, 1);
      const reference = join(out, 'tests/model.test.ts');
      expect(readFileSync(reference, 'utf8')).toContain('after commit 5b990546');

      // An edit in place regenerates, and the new title reaches the generated suite.
      writeFileSync(spec, replaceOnce(mempoolText, TITLE, '"Watched pool, first edit"'));
      await w.until('out', /^gen: \d+ files/m, 2);
      expect(readFileSync(reference, 'utf8')).toContain('Watched pool, first edit');

      // A broken spec is reported, located, and the output stays as it was.
      const before = readFileSync(reference, 'utf8');
      writeFileSync(spec, replaceOnce(mempoolText, 'op free(e: elem)', 'op free(e: elem'));
      await w.until('err', /mempool\.mps:\d+:\d+: error\[syntax\]/, 1);
      await w.until('err', /watch: gen failed \(exit 2\)/, 1);
      expect(child.exitCode).toBeNull();
      expect(readFileSync(reference, 'utf8')).toBe(before);

      // A save by rename (as vim does) is followed, and the watch recovers from the error.
      const temp = join(dir, 'mempool.mps.swp');
      writeFileSync(temp, replaceOnce(mempoolText, TITLE, '"Watched pool, second edit"'));
      renameSync(temp, spec);
      await w.until('out', /^gen: \d+ files/m, 3);
      expect(readFileSync(reference, 'utf8')).toContain('Watched pool, second edit');

      // Ctrl-C ends it cleanly.
      child.kill('SIGINT');
      const { code, signal } = await w.exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(w.err).toContain('watch: stopped');
      expect(w.err).not.toMatch(/\n\s+at /);
    }, 90_000);
});

describe('watchSpec', () => {
  it('runs once, collapses a burst of changes into one run, and survives a throwing run',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mps-watchspec-'));
      try {
        const spec = join(dir, 's.mps');
        writeFileSync(spec, 'a');
        const controller = new AbortController();
        const errors: unknown[] = [];
        let runs = 0;
        let ran: () => void = () => {};
        const regenerate = () => {
          runs++;
          ran();
          if (runs === 2) throw new Error('boom');
        };
        const nextRun = () => new Promise<void>((done) => (ran = done));
        const first = nextRun();
        const watching = watchSpec(spec, regenerate, (e) => errors.push(e),
          { debounceMs: 200, signal: controller.signal, log: () => {} });
        await first;
        expect(runs).toBe(1);

        // Five writes in quick succession: one regeneration, which throws; the watch goes on.
        const second = nextRun();
        for (let i = 0; i < 5; i++) writeFileSync(spec, `b${i}`);
        await second;
        // A change to another file in the folder is not the spec's.
        writeFileSync(join(dir, 'other.txt'), 'x');
        await new Promise((r) => setTimeout(r, 400));
        expect(runs).toBe(2);
        expect(errors.map(String)).toEqual(['Error: boom']);

        const third = nextRun();
        writeFileSync(spec, 'c');
        await third;
        expect(runs).toBe(3);
        controller.abort();
        await expect(watching).resolves.toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 30_000);

  it('resolves false when the spec\'s folder does not exist', async () => {
    const errors: unknown[] = [];
    const result = await watchSpec(join(tmpdir(), 'mps-no-such-dir', 's.mps'), () => {},
      (e) => errors.push(e), { log: () => {} });
    expect(result).toBe(false);
    expect(errors).toHaveLength(1);
  });
});
