/**
 * Event recordings to the frames the papers' DVS models see.
 *
 * Integration: spikingjelly's integrate_events_by_fixed_frames_number with split_by='number'
 * (spikingjelly/datasets/utils.py, cal_fixed_frames_number_segment_index and integrate_events_segment_to_frame):
 * N events in file order, di = floor(N / T); frame j takes events [j*di, (j+1)*di), the last frame takes the rest
 * up to N. A frame is [2, H, W] event counts: channel 1 for events whose polarity is non-zero, channel 0 otherwise.
 *
 * Resize: paper A's test transform is torchvision transforms.Resize(size=(48, 48)) on the float frames
 * (zhuyaoyu/SNN-online-normalization datasets/data.py, transform_test for cifar10dvs and dvsgesture). On a tensor
 * that is F.interpolate(mode='bilinear', align_corners=False); antialias is off in the torchvision paired with
 * the code's preferred PyTorch 2.0 (0.15: "warn", meaning off for tensors; torchvision 0.17 turned it on).
 * Reproduced in float32 as ATen's CPU kernel computes it (UpSample.h: scale = in/out, src = scale*(dst+0.5)-0.5
 * clamped at 0, index = floor(src), lambda1 = src - index, lambda0 = 1 - lambda1; UpSampleKernel.cpp: rows of
 * width-interpolated values, then (t0*h0 + t1*h1)). Every step is rounded to float32; a build of ATen that fuses
 * the multiply-adds could differ in the last bit.
 */
import { ModelError } from '../errors.js';

export const DVS_POLARITIES = 2;

/** Writes T frames [T][2][height][width] of event counts into `out` at `offset` (zeroed first). */
export function integrateByEventCount(
  events: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number>; readonly p: ArrayLike<number> },
  first: number,
  end: number,
  frames: number,
  height: number,
  width: number,
  out: Float32Array,
  offset: number,
  file: string,
): void {
  const plane = height * width;
  const frameSize = DVS_POLARITIES * plane;
  out.fill(0, offset, offset + frames * frameSize);
  const total = end - first;
  const perFrame = Math.floor(total / frames);
  for (let j = 0; j < frames; j++) {
    const from = first + j * perFrame;
    const to = j === frames - 1 ? end : from + perFrame;
    const base = offset + j * frameSize;
    for (let i = from; i < to; i++) {
      const x = events.x[i]!;
      const y = events.y[i]!;
      if (x >= width || y >= height) {
        throw new ModelError(file, `event ${i} at (x ${x}, y ${y}) lies outside the ${width}x${height} sensor`);
      }
      out[base + (events.p[i]! !== 0 ? plane : 0) + y * width + x]! += 1;
    }
  }
}

interface AxisWeights {
  readonly index0: Int32Array;
  readonly index1: Int32Array;
  readonly lambda0: Float32Array;
  readonly lambda1: Float32Array;
}

function axisWeights(inSize: number, outSize: number): AxisWeights {
  const index0 = new Int32Array(outSize);
  const index1 = new Int32Array(outSize);
  const lambda0 = new Float32Array(outSize);
  const lambda1 = new Float32Array(outSize);
  const f = Math.fround;
  const scale = f(inSize / outSize);
  for (let d = 0; d < outSize; d++) {
    if (inSize === outSize) {
      index0[d] = d;
      index1[d] = d;
      lambda0[d] = 1;
      lambda1[d] = 0;
      continue;
    }
    let src = f(f(scale * f(d + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const l1 = Math.min(Math.max(f(src - i0), 0), 1);
    index0[d] = i0;
    index1[d] = i0 + (i0 < inSize - 1 ? 1 : 0);
    lambda1[d] = l1;
    lambda0[d] = f(1 - l1);
  }
  return { index0, index1, lambda0, lambda1 };
}

/** Bilinear resize of `planes` planes [inH][inW] to [outH][outW] (see the file comment for the arithmetic). */
export function resizeBilinear(
  src: Float32Array,
  srcOffset: number,
  planes: number,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  out: Float32Array,
  outOffset: number,
): void {
  const rows = axisWeights(inH, outH);
  const cols = axisWeights(inW, outW);
  const f = Math.fround;
  for (let c = 0; c < planes; c++) {
    const inBase = srcOffset + c * inH * inW;
    const outBase = outOffset + c * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = inBase + rows.index0[oy]! * inW;
      const r1 = inBase + rows.index1[oy]! * inW;
      const h0 = rows.lambda0[oy]!;
      const h1 = rows.lambda1[oy]!;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = cols.index0[ox]!;
        const x1 = cols.index1[ox]!;
        const w0 = cols.lambda0[ox]!;
        const w1 = cols.lambda1[ox]!;
        const t0 = f(f(src[r0 + x0]! * w0) + f(src[r0 + x1]! * w1));
        const t1 = f(f(src[r1 + x0]! * w0) + f(src[r1 + x1]! * w1));
        out[outBase + oy * outW + ox] = f(f(t0 * h0) + f(t1 * h1));
      }
    }
  }
}

/** Integrates one recording into T frames and resizes them to the model's [2, outH, outW] (no resize when equal). */
export function eventFrames(
  events: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number>; readonly p: ArrayLike<number> },
  first: number,
  end: number,
  frames: number,
  sensor: { readonly height: number; readonly width: number },
  outH: number,
  outW: number,
  scratch: Float32Array,
  out: Float32Array,
  outOffset: number,
  file: string,
): void {
  if (sensor.height === outH && sensor.width === outW) {
    integrateByEventCount(events, first, end, frames, sensor.height, sensor.width, out, outOffset, file);
    return;
  }
  integrateByEventCount(events, first, end, frames, sensor.height, sensor.width, scratch, 0, file);
  resizeBilinear(scratch, 0, frames * DVS_POLARITIES, sensor.height, sensor.width, outH, outW, out, outOffset);
}
