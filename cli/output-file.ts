import { accessSync, closeSync, constants, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { OutputError, UsageError } from './failure.js';

/**
 * Every file a command writes goes through here: checked before the run (its folder exists and is writable, it
 * is not a folder, it is not one of the command's inputs), then written under a temporary name beside it and
 * renamed over it, so the target holds the old file or the whole new one, never a part. The temporary file is
 * removed on any failure and when SIGINT or SIGTERM stops the process; messages name the target, never the
 * temporary name.
 */

/** Temporary files (and folders) that exist right now, removed if the process is stopped. */
const live = new Set<string>();
let handlersInstalled = false;
let sequence = 0;

/** An input of the command: a path it reads (undefined when the option is absent). */
export type InputPath = string | undefined;

/**
 * Refuses, before any work, an output the run could not write or must not write: its folder missing or not
 * writable, the path a folder, or a path that is an input of the command (the same file by device and inode,
 * so hard links and symbolic links count; for an input folder, any existing file inside it).
 */
export function checkOutputs(command: string, outputs: readonly { option: string; path: string | undefined }[], inputs: readonly InputPath[]): void {
  const given = outputs.filter((o): o is { option: string; path: string } => o.path !== undefined);
  for (const { option, path } of given) {
    if (path === '') throw new UsageError(`--${option} needs a file name`);
    checkOutputFolder(option, dirname(resolve(path)));
    const existing = statOrNull(path);
    if (existing?.isDirectory()) throw new UsageError(`--${option} ${path} is a folder; name a file to write`);
    if (existing) {
      for (const input of inputs) {
        if (input === undefined || input === '') continue;
        const read = statOrNull(input);
        if (!read) continue;
        if (read.dev === existing.dev && read.ino === existing.ino) {
          throw new UsageError(
            `--${option} ${path} is ${input === path ? 'the' : 'the same file as the'} input ${input} of ${command}; writing it would destroy the input: choose another output`,
          );
        }
        if (read.isDirectory() && isInside(path, input)) {
          throw new UsageError(`--${option} ${path} is a file inside the input folder ${input} of ${command}; writing it would change the input: choose another output`);
        }
      }
    }
  }
  for (let i = 0; i < given.length; i++) {
    for (let j = i + 1; j < given.length; j++) {
      if (resolve(given[i]!.path) === resolve(given[j]!.path)) throw new UsageError(`--${given[i]!.option} and --${given[j]!.option} name the same file ${given[i]!.path}`);
    }
  }
}

/** A folder a command writes into (or creates a folder in): it exists, is a folder and is writable. */
export function checkOutputFolder(option: string, folder: string): void {
  const stats = statOrNull(folder);
  if (!stats) throw new UsageError(`--${option}: the folder ${folder} does not exist`);
  if (!stats.isDirectory()) throw new UsageError(`--${option}: ${folder} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new UsageError(`--${option}: the folder ${folder} is not writable`);
  }
}

/** Writes `data` to `path` atomically (temporary file beside it, flushed, renamed over it). */
export function writeOutputFile(path: string, data: string | Uint8Array): void {
  installSignalHandlers();
  const temporary = join(dirname(path), `.${basename(path)}.partial-${process.pid}-${sequence++}`);
  live.add(temporary);
  let fd: number | null = null;
  try {
    fd = openSync(temporary, 'wx');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new OutputError(`${path}: cannot be written (${code ?? (error as Error).message})`);
  } finally {
    live.delete(temporary);
  }
}

/** Marks a temporary file or folder the command made for itself, removed when it is released or the process is stopped. */
export function holdTemporary(path: string): { readonly path: string; release(): void } {
  installSignalHandlers();
  live.add(path);
  return {
    path,
    release() {
      rmSync(path, { recursive: true, force: true });
      live.delete(path);
    },
  };
}

/** Lets a pending SIGINT/SIGTERM run its handler: long synchronous loops that write files call this between files. */
export function yieldToSignals(): Promise<void> {
  return new Promise((done) => setImmediate(done));
}

/**
 * Once a command starts writing, a signal no longer kills the process at once (which could strike between the
 * write and the rename): the handler runs when the write is done, removes what is left, and re-raises the signal
 * so the parent still sees the process stopped by it.
 */
function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeLive();
      process.kill(process.pid, signal);
    });
  }
  // process.exit() from an error handler skips `finally` blocks: what they would have removed goes here.
  process.once('exit', removeLive);
}

function removeLive(): void {
  for (const path of live) rmSync(path, { recursive: true, force: true });
  live.clear();
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Both exist: compared by their real paths, so a symbolic link into the folder counts as inside. */
function isInside(path: string, folder: string): boolean {
  const root = realpathSync(folder);
  return realpathSync(path).startsWith(root.endsWith(sep) ? root : root + sep);
}
