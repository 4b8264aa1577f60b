import { Worker } from 'node:worker_threads';
import type { SimulationRun } from '../simulator/simulate.js';
import { ClusterError } from './errors.js';
import type { ThreadMessage, ThreadShard } from './simulation-thread.js';

/** `size` long-lived simulation threads; a shard waits for an idle one. A thread that dies is replaced. */
export class SimulationThreads {
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

  async run(shard: Omit<ThreadShard, 'id'>, onProgress: (done: number) => void): Promise<SimulationRun> {
    const thread = await this.acquire();
    const id = this.nextId++;
    return new Promise<SimulationRun>((resolve, reject) => {
      const onMessage = (message: ThreadMessage) => {
        if (message.id !== id) return;
        if ('progress' in message) return onProgress(message.progress);
        finish();
        this.release(thread);
        if ('run' in message) resolve(message.run as SimulationRun);
        else reject(new ClusterError(shard.programFile, message.error));
      };
      const onExit = (code: number) => {
        finish();
        this.all.delete(thread);
        this.release(this.spawn());
        reject(new ClusterError(shard.programFile, `the simulation thread stopped (exit code ${code})`));
      };
      const finish = () => {
        thread.off('message', onMessage);
        thread.off('exit', onExit);
      };
      thread.on('message', onMessage);
      thread.on('exit', onExit);
      thread.postMessage({ ...shard, id } satisfies ThreadShard);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.all].map((t) => t.terminate()));
    this.all.clear();
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
