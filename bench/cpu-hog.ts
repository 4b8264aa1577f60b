import { spawn } from 'node:child_process';

/**
 * Runs `work` while another program keeps one core busy (a child process spinning in a loop), as on a machine a user
 * shares: started before, stopped after, also when `work` fails or this process exits first.
 */
export async function withCpuHog<T>(work: () => Promise<T>): Promise<T> {
  const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const stop = () => hog.kill('SIGKILL');
  process.once('exit', stop);
  try {
    await new Promise<void>((resolve, reject) => {
      hog.once('spawn', resolve);
      hog.once('error', reject);
    });
    return await work();
  } finally {
    stop();
    process.off('exit', stop);
  }
}
