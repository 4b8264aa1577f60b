/**
 * Pillow's Image.resize(size, BILINEAR) of an 8-bit "LA" image, as paper B's test transform runs it on each DVS
 * frame (ToPILImage, then torchvision Resize on a PIL image). Reproduced from Pillow's source:
 *
 * - src/PIL/Image.py resize: an LA image is converted to premultiplied "La", resized, and converted back.
 * - src/libImaging/Convert.c: LA -> La is L' = MULDIV255(L, A) = (t + (t >> 8)) >> 8 with t = L * A + 128;
 *   La -> LA is L = min(255, floor(255 * L' / A)) unless A is 0 or 255, which keep L' as is.
 * - src/libImaging/Resample.c: a horizontal pass, then a vertical pass, each rounding to 8 bits. Per output
 *   pixel, with scale = in / out, support = max(scale, 1): center = (i + 0.5) * scale,
 *   xmin = max(0, trunc(center - support + 0.5)), xmax = min(in, trunc(center + support + 0.5)); weights
 *   w = triangle((x + xmin - center + 0.5) / max(scale, 1)) normalised to sum 1, then fixed point with 22 fraction
 *   bits (trunc(w * 2^22 + 0.5)); the sum starts at 2^21 and the result is (sum >> 22) clipped to 0..255.
 */

const PRECISION_BITS = 22;

interface Coefficients {
  readonly ksize: number;
  readonly min: Int32Array;
  readonly count: Int32Array;
  /** `ksize` fixed-point weights per output pixel. */
  readonly weights: Int32Array;
}

function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const min = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const inverse = 1 / filterScale;
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const distance = Math.abs((x + xmin - center + 0.5) * inverse);
      k[x] = distance < 1 ? 1 - distance : 0;
      sum += k[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? k[x]! / sum : k[x]!;
      weights[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * 2 ** PRECISION_BITS : 0.5 + w * 2 ** PRECISION_BITS);
    }
    min[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, min, count, weights };
}

function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resizes one 8-bit plane with Pillow's two passes (horizontal, then vertical, 8-bit rounding in between). */
function resamplePlane(plane: Uint8Array, inH: number, inW: number, outH: number, outW: number, horizontal: Coefficients, vertical: Coefficients): Uint8Array {
  const needHorizontal = inW !== outW;
  const needVertical = inH !== outH;
  let rows = plane;
  if (needHorizontal) {
    rows = new Uint8Array(inH * outW);
    for (let y = 0; y < inH; y++) {
      for (let xx = 0; xx < outW; xx++) {
        let sum = 1 << (PRECISION_BITS - 1);
        const base = y * inW + horizontal.min[xx]!;
        for (let x = 0; x < horizontal.count[xx]!; x++) sum += plane[base + x]! * horizontal.weights[xx * horizontal.ksize + x]!;
        rows[y * outW + xx] = clip8(sum);
      }
    }
  }
  if (!needVertical) return rows;
  const out = new Uint8Array(outH * outW);
  for (let yy = 0; yy < outH; yy++) {
    for (let x = 0; x < outW; x++) {
      let sum = 1 << (PRECISION_BITS - 1);
      for (let y = 0; y < vertical.count[yy]!; y++) sum += rows[(vertical.min[yy]! + y) * outW + x]! * vertical.weights[yy * vertical.ksize + y]!;
      out[yy * outW + x] = clip8(sum);
    }
  }
  return out;
}

/** Image.resize((outW, outH), BILINEAR) of an LA image given as its L and A planes; returns the new L and A planes. */
export function pilResizeLa(l: Uint8Array, a: Uint8Array, inH: number, inW: number, outH: number, outW: number): { l: Uint8Array; a: Uint8Array } {
  if (inH === outH && inW === outW) return { l: l.slice(), a: a.slice() };
  const premultiplied = new Uint8Array(l.length);
  for (let i = 0; i < l.length; i++) {
    const t = l[i]! * a[i]! + 128;
    premultiplied[i] = ((t >> 8) + t) >> 8;
  }
  const horizontal = coefficients(inW, outW);
  const vertical = coefficients(inH, outH);
  const lOut = resamplePlane(premultiplied, inH, inW, outH, outW, horizontal, vertical);
  const aOut = resamplePlane(a, inH, inW, outH, outW, horizontal, vertical);
  for (let i = 0; i < lOut.length; i++) {
    const alpha = aOut[i]!;
    if (alpha !== 0 && alpha !== 255) lOut[i] = Math.min(255, Math.floor((255 * lOut[i]!) / alpha));
  }
  return { l: lOut, a: aOut };
}
