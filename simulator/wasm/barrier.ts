/**
 * Spins (some microseconds) before sleeping: with a free core for each thread the other one arrives sooner than a
 * wake-up would take; on a busy machine a long spin would only take the core the other thread needs.
 */
const SPINS = 2_000;

/** Waits until the Int32 word at `index` of shared memory is at least `value` (another thread stores and notifies). */
export function waitUntilAtLeast(words: Int32Array, index: number, value: number): void {
  for (let k = 0; k < SPINS; k++) if (Atomics.load(words, index) >= value) return;
  for (;;) {
    const seen = Atomics.load(words, index);
    if (seen >= value) return;
    Atomics.wait(words, index, seen);
  }
}

/** Publishes a new value of a word others wait on with waitUntilAtLeast. */
export function publish(words: Int32Array, index: number, value: number): void {
  Atomics.store(words, index, value);
  Atomics.notify(words, index);
}
