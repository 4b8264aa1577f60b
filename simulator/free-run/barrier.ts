/** Publishes a new value of a shared Int32 word and wakes whoever waits on it (JavaScript or WebAssembly wait32). */
export function publish(words: Int32Array, index: number, value: number): void {
  Atomics.store(words, index, value);
  Atomics.notify(words, index);
}

/** Spins before a thread sleeps: a wake-up costs more than the short waits between the chunks of a free run. */
const SPINS = 100_000;

/**
 * Waits until a progress word is at least `value`, as kernels.wat's waitUntilAtLeast does: spins, then sleeps
 * counted in `sleepers` (word 0), so that the WebAssembly publisher, which notifies only when somebody sleeps,
 * wakes this thread too.
 */
export function waitUntilAtLeast(words: Int32Array, index: number, value: number, sleepers: Int32Array): void {
  for (let k = 0; k < SPINS; k++) if (Atomics.load(words, index) >= value) return;
  for (;;) {
    const seen = Atomics.load(words, index);
    if (seen >= value) return;
    Atomics.add(sleepers, 0, 1);
    Atomics.wait(words, index, seen);
    Atomics.sub(sleepers, 0, 1);
  }
}

/** Waits until a shared word no longer holds `value`: spins, then sleeps (its writer uses publish). */
export function waitWhileEqual(words: Int32Array, index: number, value: number): void {
  for (let k = 0; k < SPINS; k++) if (Atomics.load(words, index) !== value) return;
  while (Atomics.load(words, index) === value) Atomics.wait(words, index, value);
}
