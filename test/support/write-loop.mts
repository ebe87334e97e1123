// A child process for test/gen/files.test.ts: writes two versions of a set of generated
// files into a folder, one after the other, with gen's own planWrite/applyPlan, until it is
// killed. It prints `writing` once the first round is done, so the parent can kill it at a
// moment when it is surely writing. Usage: write-loop.mts OUT_DIR FILES.json
import { readFileSync } from 'node:fs';
import { applyPlan, planWrite, type GeneratedFile } from '../../src/gen/files.ts';

const [outDir, filesJson] = process.argv.slice(2);
const versions = JSON.parse(readFileSync(filesJson, 'utf8')) as GeneratedFile[][];
for (let round = 0; ; round++) {
  const files = versions[round % versions.length];
  applyPlan(outDir, files, planWrite(outDir, files));
  if (round === 0) process.stdout.write('writing\n');
}
