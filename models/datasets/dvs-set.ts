import { ModelError } from '../errors.js';
import { MemoryLedger } from '../memory-budget.js';
import { DVS_POLARITIES, eventFrames } from './dvs-frames.js';
import type { EventStream } from './events/event-stream.js';

/** Labelled recordings integrated into frames: `count` samples of [steps][2][height][width] float32, back to back. */
export interface DvsFrameSet {
  readonly count: number;
  readonly labels: Uint8Array;
  readonly frames: Float32Array;
  readonly steps: number;
  readonly height: number;
  readonly width: number;
  readonly classes: number;
  readonly source: string;
}

export interface DvsFrameOptions {
  /** T: frames per sample. */
  readonly steps: number;
  /** The frames' size after the resize (the model's input). */
  readonly height: number;
  readonly width: number;
  readonly limit?: number;
}

/** Where one sample lies: a range of a recording's events (or the selected event indices). */
export interface DvsSampleSlice {
  readonly first: number;
  readonly end: number;
}

/** Output buffers sized before any recording is read, so a huge sample count fails before it allocates. */
export class DvsFrameWriter {
  readonly frames: Float32Array;
  readonly labels: Uint8Array;
  private readonly scratch: Float32Array;
  readonly sampleSize: number;

  constructor(
    readonly count: number,
    private readonly options: DvsFrameOptions,
    private readonly sensor: { readonly height: number; readonly width: number },
    source: string,
  ) {
    if (!Number.isInteger(options.steps) || options.steps < 1 || options.steps > 1024) {
      throw new ModelError(source, `frames per sample must be an integer 1..1024, got ${options.steps}`);
    }
    this.sampleSize = options.steps * DVS_POLARITIES * options.height * options.width;
    const ledger = new MemoryLedger(source);
    ledger.charge(count * (this.sampleSize * 4 + 1), `the frames of ${count} samples (${options.steps} x [2, ${options.height}, ${options.width}] each; a limit takes fewer)`);
    ledger.charge(options.steps * DVS_POLARITIES * sensor.height * sensor.width * 4, 'one sample of frames before the resize');
    this.frames = new Float32Array(count * this.sampleSize);
    this.labels = new Uint8Array(count);
    this.scratch = new Float32Array(options.steps * DVS_POLARITIES * sensor.height * sensor.width);
  }

  write(index: number, label: number, events: Pick<EventStream, 'x' | 'y' | 'p'>, slice: DvsSampleSlice, file: string): void {
    this.labels[index] = label;
    eventFrames(events, slice.first, slice.end, this.options.steps, this.sensor, this.options.height, this.options.width, this.scratch, this.frames, index * this.sampleSize, file);
  }
}

/** Python's sorted() on str compares code points, which for these ASCII names is JS's default order. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
