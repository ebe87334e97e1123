/**
 * Run as a process of its own by `probeModuleSync`: probes the module named by its first
 * argument (`probeModule`, which loads it in a worker), waiting at most the milliseconds of
 * its second, and writes one JSON line to stdout: `{ "ok": true, "info": ModuleInfo }` or
 * `{ "ok": false, "file", "message", "hint" }` for a module that cannot be used.
 */
import { ModuleError, probeModule } from './module.ts';

const [file, ms] = process.argv.slice(2);
try {
  const info = await probeModule(file, Number(ms));
  process.stdout.write(`${JSON.stringify({ ok: true, info })}\n`);
} catch (error) {
  if (!(error instanceof ModuleError)) throw error;
  process.stdout.write(`${JSON.stringify({ ok: false, file: error.file,
    message: error.message, hint: error.hint })}\n`);
}
