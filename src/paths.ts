import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder (the one holding `package.json`), found from this module's own
 * location so that it is the same whether the code runs from `src/` (tsx, vitest) or from
 * `dist/` (the built CLI). Templates and the grammar are read relative to it.
 */
export const packageRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`mempool-spec: no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}
