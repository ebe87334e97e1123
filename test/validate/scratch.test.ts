import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * What a user of the package does: install it (and vitest) into a fresh project, copy in a
 * pool, `mempool-spec gen --impl` a suite for it, and run the suite under vitest. The package
 * is packed from this checkout's built `dist/` (`npm ci` builds it), so this also checks that
 * the package ships everything the suite needs.
 */
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const project = mkdtempSync(join(tmpdir(), 'mempool-scratch-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('a suite generated with --impl, in a project that has only the package', () => {
  it('runs green under vitest for the example pool', () => {
    execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', project],
      { stdio: 'pipe' });
    const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(project, 'package.json'),
      JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline',
      `./${tarball}`, 'vitest@4.1.12'], { cwd: project, stdio: 'pipe' });
    copyFileSync('examples/mempool.mjs', join(project, 'pool.mjs'));

    const bin = join(project, 'node_modules', '.bin');
    execFileSync(join(bin, 'mempool-spec'), ['gen', '--impl', 'pool.mjs', '--out', 'test',
      '--spec', 'node_modules/mempool-spec/spec/mempool.mps'], { cwd: project, stdio: 'pipe' });
    const run = spawnSync(join(bin, 'vitest'), ['run', '--reporter', 'verbose'], {
      cwd: project, encoding: 'utf8',
      env: { ...process.env, MEMPOOL_SPEC_RUNS: '200', NO_COLOR: '1' },
      timeout: 300_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    for (const driver of ['sequential', 'det-weak', 'det', 'concurrent']) {
      expect(run.stdout).toMatch(new RegExp(`✓ .*passes the ${driver} driver`));
    }
  }, 420_000);
});
