import cliProgress from 'cli-progress';

/** Prints a result: one JSON object with --json, else the human text. */
export function emit(json: boolean, result: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${text()}\n`);
}

/** A progress bar on an interactive terminal; silent in CI, in pipes and with --json. */
export function progressBar(label: string, enabled: boolean): { update(done: number, total: number): void; stop(): void } {
  const interactive = enabled && process.stderr.isTTY === true && !process.env.CI;
  if (!interactive) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function percent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}
