/**
 * Speed of the generated reference pool: alloc+free pairs per second with one and two
 * workers, on the backing-allocator path (the backing allocator never fails, so the reserve
 * stays full and free's lockless test sends every element straight back) and on the reserve
 * path (the backing allocator always fails, so every pair takes from the reserve and refills
 * it under the lock). Beside it, in the same run:
 *
 * - bare Atomics: per pair, one Atomics.add and one Atomics.sub on one shared word, the
 *   least that two operations on shared memory can cost;
 * - an always-lock pool (`locked-pool.ts`): the same policy and the same lock, but alloc and
 *   free take the lock every time.
 *
 * Run: `node --import tsx bench/reference.ts`. BENCH_MS (default 600) sets how long each
 * case runs per round, BENCH_ROUNDS (default 3) how many rounds; each figure is the median
 * over the rounds. It reads the pool from `generated/reference/`; when that is missing it
 * generates a temporary copy from `spec/mempool.mps` and says so.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { PoolFactory, SharedBackingFactory } from '../src/harness/contract.ts';
import { spawnWorker } from '../src/harness/spawn.ts';
import { generateReference } from '../src/gen/reference.ts';
import { packageRoot } from '../src/paths.ts';
import { loadSpec } from '../src/spec/load.ts';
import { LockedPool } from './locked-pool.ts';
import type { CaseMessage, CaseResult } from './reference-loop.ts';

const DURATION_MS = Number(process.env.BENCH_MS ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_MS = 150;
/** Reserve size: at least one element per worker, so the reserve path never runs dry. */
const MIN_NR = 2;
const NEVER_FAILS = 0x7fffffff;

type Impl = CaseMessage['impl'];
type Path = 'backing' | 'reserve';

interface Case {
  workers: 1 | 2;
  impl: Impl;
  path?: Path;
}

const IMPL_NAME: Record<Impl, string> = {
  bare: 'bare Atomics',
  locked: 'always-lock pool',
  reference: 'reference pool',
};

/** The folder holding the generated `mempool.ts` and `backing.ts`, and how to clean up. */
function locateReference(): { dir: string; cleanup: () => void } {
  const generated = join(packageRoot, 'generated', 'reference');
  if (existsSync(join(generated, 'mempool.ts')) && existsSync(join(generated, 'backing.ts'))) {
    return { dir: generated, cleanup: () => {} };
  }
  const temp = join(packageRoot, 'bench', `.tmp-reference-${process.pid}`);
  process.stderr.write('bench: generated/reference/ is missing (run `npx mempool-spec gen` to ' +
    'write it); using a temporary copy generated from spec/mempool.mps\n');
  for (const file of generateReference(loadSpec(join(packageRoot, 'spec', 'mempool.mps')))) {
    mkdirSync(dirname(join(temp, file.path)), { recursive: true });
    writeFileSync(join(temp, file.path), file.content);
  }
  return { dir: join(temp, 'reference'), cleanup: () => rmSync(temp, { recursive: true }) };
}

/** Fresh shared state for one run of one case, checked afterwards by `verify`. */
function setUp(c: Case, lib: Lib): { buffer: SharedArrayBuffer; backing: SharedArrayBuffer;
  verify: () => string | null } {
  const backing = lib.SharedBacking.create(c.impl === 'bare' ? 0 : NEVER_FAILS);
  if (c.impl === 'bare') {
    return { buffer: new SharedArrayBuffer(4), backing: backing.buffer, verify: () => null };
  }
  const pool = c.impl === 'locked'
    ? LockedPool.create(MIN_NR, backing)
    : lib.Mempool.create({ minNr: MIN_NR, backing });
  if (!pool) throw new Error('bench: the reference pool could not preallocate');
  if (c.path === 'reserve') backing.setFailing(true);
  const verify = (): string | null => backing.inUse() === MIN_NR ? null
    : `${backing.inUse()} elements out of the backing allocator, expected ${MIN_NR}`;
  return { buffer: pool.buffer, backing: backing.buffer, verify };
}

interface Lib {
  Mempool: PoolFactory;
  SharedBacking: SharedBackingFactory;
}

function request(worker: Worker, msg: CaseMessage): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }).finally(() => worker.removeAllListeners('error')) as Promise<CaseResult>;
}

/** Runs one case once; returns pairs per second over all its workers. */
async function runCase(c: Case, lib: Lib, workers: Worker[], durationMs: number):
  Promise<number> {
  const { buffer, backing, verify } = setUp(c, lib);
  const start = new SharedArrayBuffer(4);
  const msg: CaseMessage = { impl: c.impl, durationMs, start, parties: c.workers, buffer,
    backing };
  const pending = workers.slice(0, c.workers).map((w) => request(w, msg));
  workers.slice(0, c.workers).forEach((w) => w.postMessage(msg));
  const results = await Promise.all(pending);
  const nulls = results.reduce((n, r) => n + r.nulls, 0);
  const problem = verify() ?? (nulls > 0 ? `${nulls} allocations returned null` : null);
  if (problem) throw new Error(`bench: ${describe(c)}: ${problem}`);
  return results.reduce((sum, r) => sum + r.pairs / (r.elapsedMs / 1000), 0);
}

function describe(c: Case): string {
  return `${c.workers} worker(s), ${IMPL_NAME[c.impl]}${c.path ? `, ${c.path} path` : ''}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function formatRate(perSecond: number): string {
  return `${(perSecond / 1e6).toFixed(2)} M`;
}

function printTable(cases: Case[], rates: Map<Case, number>): void {
  const rateOf = (pick: (c: Case) => boolean): number | undefined => {
    const found = cases.find(pick);
    return found ? rates.get(found) : undefined;
  };
  const header = ['workers', 'path', 'implementation', 'pairs/s', 'vs bare Atomics',
    'vs always-lock'];
  const rows = cases.map((c) => {
    const rate = rates.get(c) ?? 0;
    const bare = rateOf((o) => o.workers === c.workers && o.impl === 'bare');
    const locked = rateOf((o) => o.workers === c.workers && o.impl === 'locked' &&
      o.path === c.path);
    return [String(c.workers), c.path ?? '-', IMPL_NAME[c.impl], formatRate(rate),
      bare ? `${(rate / bare).toFixed(3)}x` : '-',
      locked && c.impl !== 'bare' ? `${(rate / locked).toFixed(2)}x` : '-'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

async function main(): Promise<void> {
  const { dir, cleanup } = locateReference();
  const workers: Worker[] = [];
  try {
    const urls = {
      mempoolUrl: pathToFileURL(join(dir, 'mempool.ts')).href,
      backingUrl: pathToFileURL(join(dir, 'backing.ts')).href,
    };
    const lib: Lib = {
      Mempool: ((await import(urls.mempoolUrl)) as { Mempool: PoolFactory }).Mempool,
      SharedBacking: ((await import(urls.backingUrl)) as {
        SharedBacking: SharedBackingFactory;
      }).SharedBacking,
    };
    const entry = pathToFileURL(join(packageRoot, 'bench', 'reference-loop.ts'));
    for (let i = 0; i < 2; i++) workers.push(spawnWorker(entry, urls));

    const cases: Case[] = [];
    for (const n of [1, 2] as const) {
      cases.push({ workers: n, impl: 'bare' });
      for (const path of ['backing', 'reserve'] as const) {
        cases.push({ workers: n, impl: 'locked', path }, { workers: n, impl: 'reference', path });
      }
    }
    process.stderr.write(`bench: ${cases.length} cases x ${ROUNDS} rounds x ${DURATION_MS} ms ` +
      `on ${availableParallelism()} CPUs, Node ${process.version}\n`);

    for (const c of cases) await runCase(c, lib, workers, WARMUP_MS);
    const samples = new Map<Case, number[]>(cases.map((c) => [c, []]));
    // Rounds go across all cases, so a slow moment of the machine spreads over all of them.
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) samples.get(c)?.push(await runCase(c, lib, workers, DURATION_MS));
      process.stderr.write(`bench: round ${round + 1}/${ROUNDS} done\n`);
    }
    printTable(cases, new Map(cases.map((c) => [c, median(samples.get(c) ?? [])])));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    cleanup();
  }
}

await main();
