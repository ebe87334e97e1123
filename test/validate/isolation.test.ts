import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

/*
 * User code that hangs, loops, throws, crashes, runs out of memory or leaks gets a verdict
 * of its own from `mempool-spec validate`, within the time budget, and the command ends (a
 * worker left running would keep the process alive past spawnSync's timeout). The sequential
 * driver meets each misbehaviour first, so each run is short.
 */
const fixture = (name: string) => `test/fixtures/isolation/${name}.mjs`;

function validate(name: string, ...args: string[]) {
  const started = performance.now();
  const run = runCli(['validate', fixture(name), '--driver', 'sequential', ...args]);
  return { ...run, seconds: (performance.now() - started) / 1000 };
}

describe('validate on pools that misbehave', () => {
  it.each([
    ['hang', 'hang', /slept in Atomics.wait/],
    ['endless-loop', 'endless-loop', /computed for \d+ ms without returning/],
    ['throws', 'threw', /throws TypeError: pool exhausted/],
    ['crash', 'crashed', /exited with code 3/],
    ['out-of-memory', 'crashed', /ran out of memory/],
    ['leak', 'leak', /elements out of the backing allocator/],
    ['bad-handle', 'wrong-reply', /alloc reply[\s\S]*actual: +"1"/],
  ])('gives the %s pool the verdict %s, and ends', (name, verdict, detail) => {
    const run = validate(name);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^  ${verdict} +sequential`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^${verdict} \\(sequential driver\\)`, 'm'));
    expect(run.stdout).toMatch(detail);
    expect(run.stdout).toMatch(/replay: mempool-spec validate \S+ --spec \S+ --driver sequential/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});

describe('validate on modules that cannot be used', () => {
  it.each([
    ['load-throws', /cannot be loaded: Error: this module refuses to load/],
    ['load-hangs', /did not finish loading within/],
    ['no-contract', /does not meet the contract:[\s\S]*Mempool\.create is not a function[\s\S]*capabilities\.teleport: unknown/],
    ['missing', /no such file/],
  ])('rejects the %s module with exit 2 and says why', (name, message) => {
    const run = validate(name, '--load-timeout', '2');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^hint: /m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('still prints one JSON document with --json, the error as data', () => {
    const run = runCli(['validate', 'no/such.mjs', '--json']);
    expect(run.status).toBe(2);
    const doc = JSON.parse(run.stdout);
    expect(doc.error.code).toBe('usage');
    expect(doc.error.message).toMatch(/no such file/);
    const spec = runCli(['check', 'no/such.mps', '--json']);
    expect(spec.status).toBe(2);
    expect(JSON.parse(spec.stdout).error).toMatchObject({ code: 'file', file: 'no/such.mps' });
  });

  it('rejects --replay without exactly one --driver', () => {
    const run = runCli(['validate', 'examples/mempool.mjs', '--replay', '1:2']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--replay needs exactly one --driver/);
  });

  it('rejects an unknown driver', () => {
    const run = runCli(['validate', 'examples/mempool.mjs', '--driver', 'psychic']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/expected one of sequential, det-weak, det, concurrent/);
  });
});
