import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./cli.mts', import.meta.url));

/** What one run of the CLI printed and how it exited. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mempool-spec ...args` from source as a separate process; `nodeOptions` go to node
 * itself (such as `--max-old-space-size=192`).
 */
export function runCli(args: string[], cwd?: string, nodeOptions: string[] = []): CliRun {
  const result = spawnSync(process.execPath, [...nodeOptions, '--import', 'tsx', entry, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
