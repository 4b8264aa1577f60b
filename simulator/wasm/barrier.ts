/** Publishes a new value of a shared Int32 word and wakes whoever waits on it (JavaScript or WebAssembly wait32). */
export function publish(words: Int32Array, index: number, value: number): void {
  Atomics.store(words, index, value);
  Atomics.notify(words, index);
}
