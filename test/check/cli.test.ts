import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';
import { editSpec, fixedText } from './spec-edit.ts';

/** Runs `mempool-spec check ...` from source as a process. */
function check(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const cli = ['--import', 'tsx', 'test/check/run-cli.ts', 'check'];
  const r = spawnSync(process.execPath, [...cli, ...args],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const small = ['--param', 'min_nr=1', '--param', 'capacity=0', '--threads', '2', '--ops', '2'];

describe('mempool-spec check as a process', () => {
  it('exits 0 when every property holds, and says the search was exhaustive', () => {
    const r = check(...small);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/holds \(exhaustive\): \d+ states/);
    // Several configurations were searched: the summary's depth is the deepest one's.
    const depths = [...r.stdout.matchAll(/ states, depth (\d+),/g)].map((m) => Number(m[1]));
    const deepest = Math.max(...depths);
    expect(depths.length).toBeGreaterThan(1);
    expect(r.stdout).toContain(`transitions, max depth ${deepest}, `);
  });

  it('exits 1 with a numbered trace and a replay command when an edge is taken out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    const html = join(dir, 'trace.html');
    const r = check(...small, '--without', 'reserve_handoff', '--trace-out', html);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/counterexample: reserve_floor/);
    expect(r.stdout).toMatch(/STALE: the newest value is 0/);
    const replay = /--replay (\S+)/.exec(r.stdout)![1];
    const again = check('--replay', replay);
    expect(again.status).toBe(1);
    expect(again.stdout).toContain('counterexample: reserve_floor');
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('class="box stale"');
  });

  it('prints one JSON document with the edges and properties checked', () => {
    const r = check(...small, '--json', '--without', 'wait_registration');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.edges.map((e: { name: string }) => e.name)).toEqual(['reserve_handoff',
      'wait_registration']);
    expect(doc.properties.map((p: { name: string }) => p.name)).toContain('waiters_woken');
    expect(doc.counterexample.property).toBe('waiters_woken');
    expect(typeof doc.totals.statesPerSecond).toBe('number');
  });

  it('exits 1 on the kernel spec with the dangling waiter it shares, explained as a stall',
    () => {
      const r = check('spec/mempool.mps');
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/counterexample: waiters_woken — T1 sleeps on pool\.wait/);
      expect(r.stdout).toMatch(/note: waiters_woken is a liveness property/);
    });

  it('exits 0 on the fixed variant and 1 on the pre-fix variant', () => {
    const fixed = check('spec/variants/mempool-fixed.mps', '--threads', '2', '--ops', '2');
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toMatch(/holds \(exhaustive\)/);
    const preFix = check('spec/variants/mempool-pre-5b990546.mps');
    expect(preFix.status).toBe(1);
    expect(preFix.stdout).toMatch(/counterexample: reserve_floor/);
    expect(preFix.stdout).toMatch(/STALE/);
  });

  it('exits 0 when random walks find no counterexample, and says they were not exhaustive',
    () => {
      // As TLC's simulation mode does: walks are never exhaustive by design, so a run that
      // finds nothing passes; only a breadth-first search stopped early is `incomplete`.
      const r = check('spec/variants/mempool-fixed.mps', '--random-walks', '3', '--threads', '2',
        '--ops', '2', '--jobs', '1');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^check \S+ \(random-walk, /);
      expect(r.stdout).toMatch(
        /^holds on every state the random walks visited \(not exhaustive\): \d+ states/m);
      const rows = r.stdout.split('\n').filter((l) => /^ {2}min_nr=/.test(l));
      expect(rows.length).toBe(9);
      for (const row of rows) expect(row).toMatch(/ holds .*, not exhaustive$/);
      expect(r.stdout).toMatch(/^ {2}scenario handoff +holds .*s$/m);
      expect(r.stdout).not.toMatch(/incomplete/);
    });

  it('exits 2 on an edge the spec does not have, as error[unknown-edge] with a hint', () => {
    const r = check('--without', 'no_such_edge');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("error[unknown-edge]: --without no_such_edge: the spec has no edge " +
      "'no_such_edge'\nhint: its edges: reserve_handoff, wait_registration\n");
  });

  it('exits 2 on a string that is not a replay token, as error[bad-replay-token] with a hint',
    () => {
      const r = check('--replay', 'garbage');
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error\[bad-replay-token\]: not a replay token \(no header\)\n/);
      expect(r.stderr).toMatch(/^hint: give the whole token from the `replay:` line of a check /m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
});

/** Runs the CLI in this process, capturing what it writes and the exit code it sets. */
async function checkInProcess(...args: string[]):
  Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  process.exitCode = 0;
  await main(['node', 'mempool-spec', 'check', ...args]);
  const code = Number(process.exitCode);
  process.exitCode = 0;
  return { code, out, err };
}

describe('mempool-spec check on bad input and limits', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    [['spec/does-not-exist.mps'], /does-not-exist/],
    [['--replay', 'garbage'], /replay token/],
    [['--param', 'min_nr=7'], /outside its range/],
    [['--only', 'everything'], /expected 'scenarios' or 'ranges'/],
  ])('exits 2 on %j', async (args, message) => {
    const r = await checkInProcess(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
  });

  it('reports random walks as not exhaustive in JSON, and --only scenarios as exhaustive',
    async () => {
      const walks = await checkInProcess('spec/variants/mempool-fixed.mps', '--random-walks',
        '2', '--threads', '2', '--ops', '2', '--param', 'min_nr=1', '--jobs', '1', '--json');
      expect(walks.code).toBe(0);
      expect(JSON.parse(walks.out)).toMatchObject({ status: 'holds', exhaustive: false,
        search: 'random-walk' });
      // The walks apply to the ranges only: the scenarios alone are searched breadth-first.
      const scenarios = await checkInProcess('--only', 'scenarios', '--random-walks', '2');
      expect(scenarios.code).toBe(0);
      expect(scenarios.out).toMatch(/^check \S+ \(breadth-first, /);
      expect(scenarios.out).toMatch(/^holds \(exhaustive\): /m);
    });

  it('prints the codes of a bad edge and a bad replay token in the JSON error document',
    async () => {
      const edge = await checkInProcess('--without', 'reserve_handof', '--json');
      expect(edge.code).toBe(2);
      expect(JSON.parse(edge.out)).toEqual({ error: { code: 'unknown-edge',
        message: "--without reserve_handof: the spec has no edge 'reserve_handof'",
        hint: 'its edges: reserve_handoff, wait_registration' } });
      expect(edge.err).toMatch(/^error\[unknown-edge\]: /);
      for (const token of ['garbage', Buffer.from('{"v":2}\0').toString('base64url'),
        Buffer.from('{"v":1,"s":"ab","c":{"kind":"ranges","params":{}},"w":[],"sc":0}\0\x80')
          .toString('base64url')]) {
        const r = await checkInProcess('--replay', token, '--json');
        expect(r.code).toBe(2);
        const doc = JSON.parse(r.out);
        expect(doc.error.code).toBe('bad-replay-token');
        expect(doc.error.message).toMatch(/replay token/);
        expect(doc.error.hint).toMatch(/`replay:` line/);
        expect(r.err).toMatch(/^error\[bad-replay-token\]: /);
      }
    });

  it('names a token made for another version of the spec a bad replay token', async () => {
    const found = await checkInProcess(...small, '--without', 'reserve_handoff', '--json');
    const token = JSON.parse(found.out).counterexample.token as string;
    const r = await checkInProcess('spec/variants/mempool-pre-5b990546.mps', '--replay', token,
      '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error).toMatchObject({ code: 'bad-replay-token',
      message: expect.stringMatching(/made for another version of the spec/),
      hint: expect.stringMatching(/the spec file it was made for/) });
  });

  it('names a token cut short or with characters added a bad replay token, not a pass',
    async () => {
      const found = await checkInProcess(...small, '--without', 'reserve_handoff', '--json');
      const token = JSON.parse(found.out).counterexample.token as string;
      for (const bad of [token.slice(0, -3), token.slice(0, -1), `${token}AAAAAAAA`,
        `${token}A`]) {
        const r = await checkInProcess('--replay', bad, '--json');
        expect(r.code).toBe(2);
        expect(JSON.parse(r.out).error).toMatchObject({ code: 'bad-replay-token',
          message: expect.stringMatching(/^replay token (cut short|damaged)/) });
        expect(r.err).toMatch(/^error\[bad-replay-token\]: replay token /);
      }
    });

  it('names a token of an older mempool-spec a bad replay token, and says to run check again',
    async () => {
      const v1 = Buffer.from('{"v":1,"s":"8fb9e8c56dd0","c":{"kind":"ranges","params":{' +
        '"min_nr":0,"threads":2,"ops":2,"capacity":1}},"w":[],"sc":0}\0\0\b\x06\x06\x02\0\0')
        .toString('base64url');
      const r = await checkInProcess('--replay', v1, '--json');
      expect(r.code).toBe(2);
      expect(JSON.parse(r.out).error).toMatchObject({ code: 'bad-replay-token',
        message: expect.stringMatching(/made by an older mempool-spec/),
        hint: expect.stringMatching(/run check on spec\/mempool\.mps again/) });
    });

  it('refuses an empty --replay (an unset variable) as a bad token, not a whole check',
    async () => {
      const r = await checkInProcess('--replay', '', '--json');
      expect(r.code).toBe(2);
      expect(JSON.parse(r.out).error).toMatchObject({ code: 'bad-replay-token',
        message: 'not a replay token (it is empty)' });
    });

  it('refuses search options beside --replay, which the token fixes', async () => {
    const found = await checkInProcess(...small, '--without', 'reserve_handoff', '--json');
    const token = JSON.parse(found.out).counterexample.token as string;
    const r = await checkInProcess('--replay', token, '--threads', '3', '--sc', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error).toMatchObject({ code: 'usage',
      message: '--replay takes no search options, and --threads, --sc were given',
      hint: expect.stringMatching(/^the token fixes the configuration/) });
    // What the report's replay line gives, with --json and --trace-out, replays.
    const again = await checkInProcess('--replay', token, '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.out).counterexample.property).toBe('reserve_floor');
  });

  it('refuses a --trace-out path it cannot write before the search, printing one document',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'check-'));
      for (const [path, message] of [
        ['/nonexist/x.html', '--trace-out /nonexist/x.html: the folder /nonexist does not exist'],
        [dir, `--trace-out ${dir}: not a file`],
        [join(dir, 'x.html', 'y.html'), `--trace-out ${join(dir, 'x.html', 'y.html')}: the ` +
          `folder ${join(dir, 'x.html')} does not exist`],
      ]) {
        const r = await checkInProcess(...small, '--without', 'reserve_handoff', '--trace-out',
          path, '--json');
        expect(r.code).toBe(2);
        expect(JSON.parse(r.out)).toEqual({ error: { code: 'usage', message,
          hint: 'give the path of a file (new, or a trace check wrote before) in a folder ' +
            'that exists' } });
        expect(r.err).toMatch(/^error: --trace-out /);
      }
      writeFileSync(join(dir, 'file'), '');
      const notFolder = await checkInProcess('--replay', 'x', '--trace-out',
        join(dir, 'file', 'y.html'));
      expect(notFolder.code).toBe(2);
      expect(notFolder.out).toBe('');
      expect(notFolder.err).toContain(`${join(dir, 'file')} is not a folder`);
    });

  it('overwrites a trace it wrote before, and never a file someone else wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    const notes = join(dir, 'notes.html');
    writeFileSync(notes, '<p>my notes</p>\n');
    const r = await checkInProcess(...small, '--without', 'reserve_handoff', '--trace-out',
      notes, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error).toMatchObject({ code: 'usage',
      message: `--trace-out ${notes}: the file exists and is not a trace that check wrote, ` +
        'so it is left as it is' });
    expect(readFileSync(notes, 'utf8')).toBe('<p>my notes</p>\n');
    const trace = join(dir, 'trace.html');
    for (let i = 0; i < 2; i++) {
      const run = await checkInProcess(...small, '--without', 'reserve_handoff', '--trace-out',
        trace);
      expect(run.code).toBe(1);
      expect(readFileSync(trace, 'utf8')).toContain('<meta name="generator" content="mempool-spec');
    }
  });

  it.runIf(process.platform === 'linux')('keeps the exit code and the one JSON document when ' +
    'writing the trace fails after the report', async () => {
    // /proc/version is a file that no one, not even root, can write.
    const r = await checkInProcess(...small, '--without', 'reserve_handoff', '--trace-out',
      '/proc/version', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).counterexample.property).toBe('reserve_floor');
    expect(r.err).toMatch(/^warning: --trace-out \/proc\/version: cannot write it \(E[A-Z]+\); /m);
  });

  it.each([
    [['--threads', '99999999999999999999'], '--threads 99999999999999999999: too large: at ' +
      'most 9007199254740991', 'give a whole number of 1 or more'],
    [['--ops', '1e3'], '--ops 1e3: not a whole number (digits only, e.g. 3)',
      'give a whole number of 1 or more'],
    [['--ops', '2.0'], '--ops 2.0: not a whole number (digits only, e.g. 3)',
      'give a whole number of 1 or more'],
    [['--random-walks', '0'], '--random-walks 0: too small: at least 1',
      'give a whole number of 1 or more; leave the option out for a breadth-first search'],
    [['--seed', '4294967296'], '--seed 4294967296: too large: at most 4294967295',
      'give a whole number from 0 to 4294967295; the random walks take a 32-bit seed'],
    [['--state-limit', '0x10'], '--state-limit 0x10: not a whole number (digits only, e.g. 3)',
      'give a whole number of 1 or more'],
    [['--jobs', ' 2'], '--jobs  2: not a whole number (digits only, e.g. 3)',
      'give a whole number of 1 or more'],
    [['--threads', '4'], "--threads 4: above the spec's range 2..3 for threads",
      'the bound caps the range; give at most 3 (the default), or widen `param threads` in ' +
      'the spec'],
    [['--ops', '1'], "--ops 1: below the spec's range 2..3 for ops",
      'the bound caps the range; give at least 2'],
  ])('refuses %j as a usage error with a hint, before any search', async (args, message,
    hint) => {
    const r = await checkInProcess(...(args as string[]), '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toEqual({ error: { code: 'usage', message, hint } });
    expect(r.err).toBe(`error: ${message}\nhint: ${hint}\n`);
  });

  it('keeps whole numbers in range working, the seed from 0', async () => {
    const r = await checkInProcess('spec/variants/mempool-fixed.mps', '--random-walks', '1',
      '--seed', '0', '--threads', '2', '--ops', '2', '--param', 'min_nr=1', '--param',
      'capacity=0', '--jobs', '1', '--state-limit', '1000000', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'holds', search: 'random-walk' });
  });

  it('places an endless local loop in the spec, as a spec error with the line and a caret',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'check-'));
      const file = join(dir, 'loop.mps');
      const text = editSpec(fixedText, [['  if e == null {\n    return\n  }\n',
        '  if e == null {\n    return\n  }\n  while true { }\n']]);
      writeFileSync(file, text);
      const line = text.split('\n').indexOf('  while true { }') + 1;
      const message = 'free: this loop never ends: 10000 steps without a shared access';
      const hint = 'give the loop a way out (`break`, `return`, or a `while` condition that ' +
        'becomes false), or a shared access (a read or write of a shared variable, a lock, a ' +
        'wait) in every pass';
      const r = await checkInProcess(file, ...small, '--json');
      expect(r.code).toBe(2);
      expect(JSON.parse(r.out)).toEqual({ error: { code: 'endless-local-loop', file, line,
        col: 3, message, hint } });
      expect(r.err).toBe(`${file}:${line}:3: error[endless-local-loop]: ${message}\n` +
        `${String(line).padStart(5)} |   while true { }\n      |   ^\nhint: ${hint}\n`);
    });

  it('keeps other command-line errors as error: ..., code usage', async () => {
    const r = await checkInProcess('--param', 'nope=1', '--json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --param nope=1: /);
    expect(JSON.parse(r.out).error.code).toBe('usage');
  });

  it('keeps the state limit a clear failure, not a crash', async () => {
    const r = await checkInProcess(...small, '--state-limit', '50');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/state limit \(50 states\)/);
  });
});
