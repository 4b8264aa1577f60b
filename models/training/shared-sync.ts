import type { Reducer } from './shard.js';

/** Slots of the shared control array. */
export const CONTROL = { generation: 0, arrived: 1, stop: 2, batchCount: 3, batchSize: 4, length: 8 } as const;

/** A reusable barrier for `parties` threads over a shared Int32Array (Atomics.wait is allowed on Node's main thread). */
export class SharedBarrier {
  constructor(
    private readonly control: Int32Array,
    private readonly parties: number,
  ) {}

  wait(): void {
    if (this.parties === 1) return;
    const generation = Atomics.load(this.control, CONTROL.generation);
    if (Atomics.add(this.control, CONTROL.arrived, 1) === this.parties - 1) {
      Atomics.store(this.control, CONTROL.arrived, 0);
      Atomics.add(this.control, CONTROL.generation, 1);
      Atomics.notify(this.control, CONTROL.generation);
    } else {
      while (Atomics.load(this.control, CONTROL.generation) === generation) Atomics.wait(this.control, CONTROL.generation, generation);
    }
  }
}

/**
 * allReduce through shared memory: each shard writes its vector to its slot, waits for the others, then adds the
 * slots in shard order, so every shard computes the same bits. Two areas alternate, so one barrier per call
 * suffices: a shard cannot reach the area it is reading again before every shard has passed the next barrier.
 */
export class SharedReducer implements Reducer {
  private round = 0;

  constructor(
    private readonly area: Float64Array,
    private readonly shard: number,
    private readonly shards: number,
    private readonly slotLength: number,
    private readonly barrier: SharedBarrier,
  ) {}

  allReduce(values: Float64Array): void {
    if (this.shards === 1) return;
    if (values.length > this.slotLength) throw new RangeError(`reduction of ${values.length} values exceeds the ${this.slotLength} reserved`);
    this.round ^= 1;
    const base = this.round * this.shards * this.slotLength;
    this.area.set(values, base + this.shard * this.slotLength);
    this.barrier.wait();
    for (let i = 0; i < values.length; i++) {
      let sum = 0;
      for (let k = 0; k < this.shards; k++) sum += this.area[base + k * this.slotLength + i]!;
      values[i] = sum;
    }
  }
}
