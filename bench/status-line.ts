/**
 * One line of status on an interactive terminal, rewritten in place (what a long run is doing now); silent in CI and
 * in pipes. `done` clears it.
 */
export function statusLine(): { show(text: string): void; done(): void } {
  if (process.stderr.isTTY !== true || process.env.CI) return { show() {}, done() {} };
  const clear = () => process.stderr.write('\r\x1b[2K');
  return {
    show(text) {
      clear();
      process.stderr.write(text.slice(0, (process.stderr.columns || 80) - 1));
    },
    done: clear,
  };
}
