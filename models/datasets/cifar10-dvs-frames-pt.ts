/**
 * Paper B's CIFAR10-DVS input (Tab-ct/rate-based-backpropagation util/data.py, CIFAR10_DVS_AUG): frames already
 * integrated by some earlier step and saved one sample per file as `<root>/train/<i>.pt` and `<root>/test/<i>.pt`,
 * i = 0 .. n-1, each torch.save((data, target)) with data [T, 2, H, W] and target a one-element tensor.
 *
 * Its test transform, per frame: ToPILImage (a float tensor is multiplied by 255 and cast to uint8, which keeps
 * the low 8 bits of the truncated value, so an event count c becomes (255 c) mod 256; two channels make an "LA"
 * image: channel 0 is L, channel 1 is A), Resize((48, 48)) on the PIL image (see pil-resize.ts), ToTensor
 * (uint8 / 255 in float32). The validation set gets no flip or roll. torchvision's to_pil_image and ToTensor are
 * the reference for the two conversions.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../errors.js';
import { MemoryLedger } from '../memory-budget.js';
import { isPthTensor, readPth, type PthTensor } from '../pth/read-pth.js';
import { readBytes, type DatasetSplit } from './cifar.js';
import type { DvsFrameOptions, DvsFrameSet } from './dvs-set.js';
import { DVS_POLARITIES } from './dvs-frames.js';
import { pilResizeLa } from './pil-resize.js';

const CLASSES = 10;

/** True when `dir` has train/ or test/ holding 0.pt, the layout CIFAR10_DVS_AUG reads. */
export function isFramesPtDirectory(dir: string): boolean {
  return (['train', 'test'] as const).some((split) => isFile(join(dir, split, '0.pt')));
}

export function loadFramesPt(dir: string, split: DatasetSplit, options: Omit<DvsFrameOptions, 'steps'>): DvsFrameSet {
  const splitDir = join(dir, split);
  if (!existsSync(splitDir) || !statSync(splitDir).isDirectory())
    throw new ModelError(dir, `paper B's CIFAR10-DVS layout: the ${split} split needs the folder ${split}/ of <i>.pt files`);
  // CIFAR10_DVS_AUG.__len__ is the number of entries in the folder; samples are read as 0.pt, 1.pt, ...
  const total = readdirSync(splitDir).length;
  const count = Math.min(total, options.limit ?? Infinity);
  const { height, width } = options;
  let frames: Float32Array | null = null;
  let steps = 0;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const path = join(splitDir, `${i}.pt`);
    if (!isFile(path)) throw new ModelError(splitDir, `holds ${total} entries, so samples 0.pt .. ${total - 1}.pt, but ${i}.pt is missing`);
    const { data, label } = readSample(path);
    const [t, channels, inH, inW] = data.shape as [number, number, number, number];
    if (frames === null) {
      steps = t;
      new MemoryLedger(dir).charge(
        count * steps * DVS_POLARITIES * height * width * 4,
        `the frames of ${count} samples (${steps} x [2, ${height}, ${width}] each; a limit takes fewer)`,
      );
      frames = new Float32Array(count * steps * DVS_POLARITIES * height * width);
    } else if (t !== steps) {
      throw new ModelError(path, `holds ${t} frames; 0.pt holds ${steps}`);
    }
    if (channels !== DVS_POLARITIES) throw new ModelError(path, `frames have ${channels} channels, expected ${DVS_POLARITIES} (polarities)`);
    labels[i] = label;
    if (data.dtype !== 'float32' && data.dtype !== 'float64' && data.dtype !== 'uint8') throw new ModelError(path, `${data.dtype} frames: ToPILImage takes float or uint8 tensors`);
    writeTransformedFrames(data, inH, inW, height, width, frames, i * steps * DVS_POLARITIES * height * width);
  }
  return { count, labels, frames: frames ?? new Float32Array(0), steps, height, width, classes: CLASSES, source: dir };
}

function readSample(path: string): { data: PthTensor; label: number } {
  const root = readPth(readBytes(path), path);
  if (!Array.isArray(root) || root.length !== 2 || !isPthTensor(root[0]) || !isPthTensor(root[1])) {
    throw new ModelError(path, 'expected a saved (data, target) pair of tensors, as CIFAR10_DVS_AUG loads');
  }
  const [data, target] = root as [PthTensor, PthTensor];
  if (data.shape.length !== 4) throw new ModelError(path, `data has shape [${data.shape.join(', ')}], expected [T, 2, H, W]`);
  const label = target.values.length === 1 ? target.values[0]! : NaN;
  if (!Number.isInteger(label) || label < 0 || label >= CLASSES) throw new ModelError(path, `target is not one class index 0..${CLASSES - 1}`);
  return { data, label };
}

/** ToPILImage, Resize, ToTensor for every frame of one sample. */
function writeTransformedFrames(data: PthTensor, inH: number, inW: number, outH: number, outW: number, out: Float32Array, offset: number): void {
  const plane = inH * inW;
  const outPlane = outH * outW;
  const steps = data.shape[0]!;
  const toByte = byteConversion(data);
  const l = new Uint8Array(plane);
  const a = new Uint8Array(plane);
  for (let t = 0; t < steps; t++) {
    const base = t * DVS_POLARITIES * plane;
    for (let i = 0; i < plane; i++) {
      l[i] = toByte(data.values[base + i]!);
      a[i] = toByte(data.values[base + plane + i]!);
    }
    const resized = pilResizeLa(l, a, inH, inW, outH, outW);
    const at = offset + t * DVS_POLARITIES * outPlane;
    for (let i = 0; i < outPlane; i++) {
      out[at + i] = resized.l[i]! / 255;
      out[at + outPlane + i] = resized.a[i]! / 255;
    }
  }
}

/**
 * to_pil_image's uint8 values: a float tensor goes through pic.mul(255).byte() (multiply in its precision, truncate,
 * keep the low 8 bits: torch's cast wraps); a uint8 tensor is taken as is; other types it cannot make an LA image of.
 */
function byteConversion(data: PthTensor): (value: number) => number {
  if (data.dtype === 'uint8') return (value) => value;
  if (data.dtype !== 'float32' && data.dtype !== 'float64') throw new ModelError('frames', `${data.dtype} frames: ToPILImage takes float or uint8 tensors`);
  const round = data.dtype === 'float32' ? Math.fround : (value: number) => value;
  return (value) => {
    const scaled = Math.trunc(round(value * 255));
    return Number.isFinite(scaled) ? ((scaled % 256) + 256) % 256 : 0;
  };
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
