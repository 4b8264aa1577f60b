import { Worker } from 'node:worker_threads';
import { ClusterError, JobTimeLimitError } from './errors.js';
import type { ThreadMessage, ThreadTask } from './job-thread.js';

/** `size` long-lived job threads (job-thread.ts); a task waits for an idle one. A thread that dies is replaced. */
export class JobThreads {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((thread: Worker) => void)[] = [];
  private readonly all = new Set<Worker>();
  private nextId = 1;

  constructor(
    size: number,
    private readonly threadFile: string,
  ) {
    for (let i = 0; i < size; i++) this.release(this.spawn());
  }

  /**
   * Runs one task; `source` names it in errors. The result is as the thread posted it (structured clone). A task
   * still running after `timeLimitSeconds` has its thread terminated (a replacement starts) and fails: a thread
   * stuck in a loop never answers, while the process around it keeps renewing the job's lock. With `adjustable`, a
   * limit the thread posts once it knows its work (a sweep point, after compiling) replaces the first one.
   */
  async run(task: ThreadTask, source: string, onProgress: (done: number) => void, timeLimitSeconds?: number, adjustable = false): Promise<unknown> {
    const thread = await this.acquire();
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = (seconds: number) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          finish();
          void thread.terminate();
          this.replace(thread);
          reject(new JobTimeLimitError(source, seconds));
        }, seconds * 1000);
      };
      const onMessage = (message: ThreadMessage) => {
        if (message.id !== id) return;
        if ('progress' in message) return onProgress(message.progress);
        if ('timeLimitSeconds' in message) return void (adjustable && arm(message.timeLimitSeconds));
        finish();
        this.release(thread);
        if ('result' in message) resolve(message.result);
        else reject(new ClusterError(source, message.error));
      };
      const onExit = (code: number) => {
        finish();
        this.replace(thread);
        reject(new ClusterError(source, `the job thread stopped (exit code ${code})`));
      };
      const finish = () => {
        clearTimeout(timer);
        thread.off('message', onMessage);
        thread.off('exit', onExit);
      };
      if (timeLimitSeconds !== undefined) arm(timeLimitSeconds);
      thread.on('message', onMessage);
      thread.on('exit', onExit);
      thread.postMessage({ ...task, id });
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.all].map((t) => t.terminate()));
    this.all.clear();
  }

  private replace(thread: Worker): void {
    this.all.delete(thread);
    this.release(this.spawn());
  }

  private spawn(): Worker {
    const thread = new Worker(this.threadFile);
    thread.on('error', () => {}); // reported by the 'exit' that follows
    this.all.add(thread);
    return thread;
  }

  private acquire(): Promise<Worker> {
    const thread = this.idle.pop();
    return thread ? Promise.resolve(thread) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(thread: Worker): void {
    const next = this.waiting.shift();
    if (next) next(thread);
    else this.idle.push(thread);
  }
}
