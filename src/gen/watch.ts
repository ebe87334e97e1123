import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** How `watchSpec` runs. */
export interface WatchOptions {
  /** Quiet time after the last change event before regenerating; editors save in bursts. */
  debounceMs?: number;
  /** Stops watching when aborted (tests and embedders); SIGINT and SIGTERM always stop it. */
  signal?: AbortSignal;
  /** Where progress lines go. */
  log?: (line: string) => void;
}

/**
 * Runs `regenerate` once, then again whenever the file at `specPath` changes, until SIGINT
 * (Ctrl-C), SIGTERM or `options.signal` stops it; resolves then with true, or with false
 * when the spec's folder cannot be watched at all.
 *
 * The file's folder is watched rather than the file, so an editor that saves by writing a
 * new file and renaming it over the old one (vim, many IDEs) is followed too, and a spec
 * that is briefly missing does not end the watch. Events come in bursts; one regeneration
 * runs `debounceMs` after the last of them. `regenerate` reports its own errors (a bad
 * spec is the common case while editing); if it throws anyway, the error is passed to
 * `onError` and the watch goes on. Runs never overlap: `regenerate` is synchronous.
 *
 * Known limits: node:fs.watch is inotify on Linux and FSEvents on macOS; on network and
 * some container file systems it may see no events at all. Only the spec file is watched,
 * not the generators or templates.
 */
export function watchSpec(
  specPath: string,
  regenerate: () => void,
  onError: (err: unknown) => void,
  options: WatchOptions = {},
): Promise<boolean> {
  const debounceMs = options.debounceMs ?? 150;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const target = resolve(specPath);
  const name = basename(target);

  const runSafely = (): void => {
    try {
      regenerate();
    } catch (err) {
      onError(err);
    }
  };

  return new Promise<boolean>((done) => {
    let timer: NodeJS.Timeout | undefined;
    let watcher: FSWatcher | undefined;
    const finish = (ok: boolean): void => {
      if (timer) clearTimeout(timer);
      watcher?.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      log('watch: stopped');
      done(ok);
    };
    const stop = (): void => finish(true);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) {
      stop();
      return;
    }
    options.signal?.addEventListener('abort', stop, { once: true });

    runSafely();
    try {
      watcher = watch(dirname(target), { persistent: true }, (_event, file) => {
        // Some platforms report no file name; then any change in the folder may be ours.
        if (file !== null && file !== name) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = undefined;
          log(`watch: ${specPath} changed, regenerating`);
          runSafely();
        }, debounceMs);
      });
      watcher.on('error', (err) => onError(err));
    } catch (err) {
      // The folder itself is missing or unreadable: nothing to watch.
      onError(err);
      finish(false);
      return;
    }
    log(`watch: watching ${specPath} (Ctrl-C to stop)`);
  });
}
