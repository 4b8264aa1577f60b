/**
 * Spins (some microseconds) before sleeping: with a free core for each thread the other one arrives sooner than a
 * wake-up would take; on a busy machine a long spin would only take the core the other thread needs.
 */
const SPINS = 2_000;

/**
 * A reusable barrier for `parties` threads over two Int32 words of shared memory: [arrivals, generation]. The last
 * to arrive resets the arrivals and bumps the generation; the others spin, then sleep on it (Atomics.wait).
 */
export function arriveAndWait(sync: Int32Array, parties: number): void {
  const generation = Atomics.load(sync, 1);
  if (Atomics.add(sync, 0, 1) === parties - 1) {
    Atomics.store(sync, 0, 0);
    Atomics.add(sync, 1, 1);
    Atomics.notify(sync, 1);
    return;
  }
  for (let k = 0; k < SPINS; k++) if (Atomics.load(sync, 1) !== generation) return;
  while (Atomics.load(sync, 1) === generation) Atomics.wait(sync, 1, generation);
}
