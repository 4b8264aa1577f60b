import type { InputFrames } from './engine.js';
import { SimulationError } from './errors.js';

/** Values per event in `EventSamples.events`: t (us), x, y, polarity. */
export const EVENT_FIELDS = 4;

/**
 * Event-camera recordings as plain typed arrays (cheap to hand to worker threads): every sample's events back to
 * back, four int32 each, `t` in microseconds from any origin, `x`/`y` sensor addresses, polarity 1 = ON, 0 = OFF.
 */
export interface EventSamples {
  readonly events: Int32Array;
  /** Sample i holds events offsets[i] .. offsets[i+1]-1 (count + 1 entries, offsets[0] = 0). */
  readonly offsets: Int32Array;
  /** Class per sample, or null when the samples carry no labels (accuracy is then not defined). */
  readonly labels: Uint8Array | null;
  readonly count: number;
  readonly sensorWidth: number;
  readonly sensorHeight: number;
}

/** The input grid events are binned onto, and the largest value one input event may carry. */
export interface EventGrid {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly timesteps: number;
  /** The raw value the program reads as 1.0, and the payload's largest value. */
  readonly fullScale: number;
  readonly maxValue: number;
}

/**
 * How a program takes event input. The grid is the program's input shape [C, H, W]: C = 2 puts each polarity in
 * its own channel (OFF 0, ON 1), C = 1 sums both. An event count enters as a graded event of value
 * count * fullScale, saturated to the payload: fullScale is the raw value the program reads as 1.0 (255 for 8-bit
 * images, from `valueScale`), so a pixel with one event in a window drives the first layer as a white pixel does.
 * With 8-bit payloads any count saturates at 255: the input is then binary per pixel and window, like a recorded
 * spike tensor.
 */
export function eventGrid(input: { shape: readonly number[]; payloadBits: number; valueScale: number; placement: string }, timesteps: number, source: string): EventGrid {
  if (input.placement === 'INPUT_HOST') {
    throw new SimulationError(
      source,
      'event input needs a chip that takes input events (graded spikes or ANN-mode cores); this program computes its first layer on the host from an analog image',
    );
  }
  const [channels, height, width, ...rest] = input.shape;
  if (channels === undefined || height === undefined || width === undefined || rest.length > 0 || (channels !== 1 && channels !== 2)) {
    throw new SimulationError(
      source,
      `event input maps onto an input grid [C, H, W] with C = 1 (both polarities summed) or C = 2 (one channel per polarity); this program's input is [${input.shape.join(', ')}]`,
    );
  }
  const fullScale = Math.round(1 / input.valueScale);
  if (!Number.isFinite(fullScale) || fullScale < 1) {
    throw new SimulationError(source, `the program's input value scale ${input.valueScale} gives no integer full-scale value for an event`);
  }
  const payloadMax = input.payloadBits > 0 ? 2 ** input.payloadBits - 1 : fullScale;
  return { channels, height, width, timesteps, fullScale, maxValue: payloadMax };
}

/**
 * Bins one sample's events into the program's T steps and input grid. The stream's span, from its first to its
 * last timestamp, is cut into T equal windows (window = floor((t - first) * T / (last - first + 1))); the sensor
 * is centre-cropped or zero-padded to H x W (offset floor((H - sensorHeight) / 2), likewise for x); events that
 * land outside are dropped. `counts` is scratch of T * C * H * W entries, reused across samples.
 */
export function eventFrames(samples: EventSamples, sample: number, grid: EventGrid, counts: Int32Array): InputFrames {
  const { channels: C, height: H, width: W, timesteps: T } = grid;
  const size = C * H * W;
  counts.fill(0, 0, T * size);
  const begin = samples.offsets[sample]!;
  const end = samples.offsets[sample + 1]!;
  const ev = samples.events;
  let first = Infinity;
  let last = -Infinity;
  for (let e = begin; e < end; e++) {
    const t = ev[e * EVENT_FIELDS]!;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const span = last - first + 1;
  const dx = Math.floor((W - samples.sensorWidth) / 2);
  const dy = Math.floor((H - samples.sensorHeight) / 2);
  for (let e = begin; e < end; e++) {
    const at = e * EVENT_FIELDS;
    const x = ev[at + 1]! + dx;
    const y = ev[at + 2]! + dy;
    if (x < 0 || y < 0 || x >= W || y >= H) continue;
    const window = Math.floor(((ev[at]! - first) * T) / span);
    const channel = C === 2 ? ev[at + 3]! : 0;
    const index = window * size + (channel * H + y) * W + x;
    counts[index] = counts[index]! + 1;
  }
  const { fullScale, maxValue } = grid;
  return {
    static: false,
    analog: null,
    frame(t, indices, values) {
      let n = 0;
      const base = t * size;
      for (let i = 0; i < size; i++) {
        const count = counts[base + i]!;
        if (count === 0) continue;
        indices[n] = i;
        values[n++] = Math.min(count * fullScale, maxValue);
      }
      return n;
    },
  };
}
