/**
 * Static images to N-MNIST-style event recordings. N-MNIST showed each MNIST digit on a monitor to an ATIS sensor
 * that made three saccades, about 100 ms each, tracing a triangle, and cropped the result to 34x34 pixels
 * (Orchard et al., "Converting static image datasets to spiking neuromorphic datasets using saccades", Frontiers in
 * Neuroscience 2015). Here the image moves over a 34x34 sensor along such a triangle and a simple DVS pixel model
 * turns the changes into events:
 *
 *   each pixel keeps a reference log intensity; when log(I + eps) moves by a whole contrast threshold or more from it,
 *   the pixel emits that many ON (up) or OFF (down) events and moves its reference by as many thresholds.
 *
 * The thresholds differ per pixel and polarity (fixed-pattern mismatch, drawn from the seed), so the output is
 * deterministic given (image, seed, image index). The triangle's pixel amplitudes, the sampling step, eps and the
 * threshold are this model's choices, not measured from the ATIS: the paper gives the shape, not these numbers.
 */
import { allocateEvents, type EventStream } from './event-stream.js';
import { NMNIST_SENSOR_SIDE } from './nmnist.js';
import { SeededRandom } from './seeded-random.js';

export interface SaccadeOptions {
  /** Mean contrast threshold in natural-log units. DVS pixels are typically set to 0.15-0.3. */
  readonly contrastThreshold: number;
  /** Relative standard deviation of the per-pixel thresholds. */
  readonly thresholdMismatch: number;
  /** Added to intensity (0..1) before the log, so black is a finite level. */
  readonly logEps: number;
  /** Each saccade's duration (us) and the DVS model's sampling step (us). */
  readonly saccadeUs: number;
  readonly stepUs: number;
}

export const DEFAULT_SACCADE_OPTIONS: SaccadeOptions = {
  contrastThreshold: 0.2,
  thresholdMismatch: 0.05,
  logEps: 0.1,
  saccadeUs: 100_000,
  stepUs: 1_000,
};

/** Where the image's top-left corner sits on the sensor at the start of each saccade; it returns to the first. */
const TRIANGLE: readonly (readonly [number, number])[] = [
  [3, 0],
  [6, 6],
  [0, 6],
];

export function saccadeEvents(image: Uint8Array, side: number, seed: number, index: number, options: SaccadeOptions = DEFAULT_SACCADE_OPTIONS): EventStream {
  const sensor = NMNIST_SENSOR_SIDE;
  const pixels = sensor * sensor;
  const random = new SeededRandom(seed, index);
  const thresholdOn = new Float64Array(pixels);
  const thresholdOff = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) {
    thresholdOn[i] = pixelThreshold(random, options);
    thresholdOff[i] = pixelThreshold(random, options);
  }
  const reference = new Float64Array(pixels);
  const level = new Float64Array(pixels);
  renderLog(image, side, TRIANGLE[0]![0], TRIANGLE[0]![1], options.logEps, reference);

  const stepsPerSaccade = Math.round(options.saccadeUs / options.stepUs);
  const t: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const p: number[] = [];
  for (let s = 0; s < TRIANGLE.length; s++) {
    const [x0, y0] = TRIANGLE[s]!;
    const [x1, y1] = TRIANGLE[(s + 1) % TRIANGLE.length]!;
    for (let k = 1; k <= stepsPerSaccade; k++) {
      const f = k / stepsPerSaccade;
      renderLog(image, side, x0 + (x1 - x0) * f, y0 + (y1 - y0) * f, options.logEps, level);
      const time = (s * stepsPerSaccade + k) * options.stepUs;
      for (let i = 0; i < pixels; i++) {
        const delta = level[i]! - reference[i]!;
        const up = delta > 0;
        const threshold = up ? thresholdOn[i]! : thresholdOff[i]!;
        const n = Math.floor(Math.abs(delta) / threshold);
        if (n === 0) continue;
        reference[i] = reference[i]! + (up ? n : -n) * threshold;
        for (let e = 0; e < n; e++) {
          t.push(time);
          x.push(i % sensor);
          y.push(Math.floor(i / sensor));
          p.push(up ? 1 : 0);
        }
      }
    }
  }
  const out = allocateEvents(t.length);
  out.t.set(t);
  out.x.set(x);
  out.y.set(y);
  out.p.set(p);
  return { count: t.length, ...out, width: sensor, height: sensor };
}

function pixelThreshold(random: SeededRandom, options: SaccadeOptions): number {
  // Clamped so a rare draw cannot make a pixel fire on noise-free sub-threshold changes.
  return options.contrastThreshold * Math.max(0.5, 1 + options.thresholdMismatch * random.nextGaussian());
}

/** log(I + eps) on the sensor with the image's top-left at (ox, oy): bilinear sampling, black outside the image. */
function renderLog(image: Uint8Array, side: number, ox: number, oy: number, eps: number, out: Float64Array): void {
  const sensor = NMNIST_SENSOR_SIDE;
  const pixel = (ix: number, iy: number) => (ix < 0 || iy < 0 || ix >= side || iy >= side ? 0 : image[iy * side + ix]! / 255);
  for (let sy = 0; sy < sensor; sy++) {
    const fy = sy - oy;
    const iy = Math.floor(fy);
    const wy = fy - iy;
    for (let sx = 0; sx < sensor; sx++) {
      const fx = sx - ox;
      const ix = Math.floor(fx);
      const wx = fx - ix;
      const intensity = (1 - wy) * ((1 - wx) * pixel(ix, iy) + wx * pixel(ix + 1, iy)) + wy * ((1 - wx) * pixel(ix, iy + 1) + wx * pixel(ix + 1, iy + 1));
      out[sy * sensor + sx] = Math.log(intensity + eps);
    }
  }
}
