/** Small dataset files built byte by byte for tests: CIFAR pickles, AEDAT 2 recordings, models to read them for. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import type { Model, ModelSource } from '../../models/graph/model.js';

const ascii = (text: string) => [...Buffer.from(text, 'latin1')];
const u32le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const u16le = (n: number) => [n & 0xff, (n >>> 8) & 0xff];

/** A pickled int as cPickle writes it: BININT1, BININT2 or BININT. */
function pickleInt(n: number): number[] {
  if (n >= 0 && n < 256) return [0x4b, n];
  if (n >= 0 && n < 65536) return [0x4d, ...u16le(n)];
  return [0x4a, ...u32le(n >>> 0)];
}

export interface CifarPickleOptions {
  readonly images: Uint8Array;
  readonly labels: readonly number[];
  /** 'labels' (CIFAR-10) or 'fine_labels' (CIFAR-100). */
  readonly labelKey: string;
  /**
   * 'python2': keys and the array bytes as Python 2 str (SHORT_BINSTRING / BINSTRING), as the original files;
   * 'python3': keys as str (SHORT_BINUNICODE), data as bytes (BINBYTES), as numpy pickles under Python 3.
   */
  readonly style: 'python2' | 'python3';
}

/**
 * A CIFAR python batch: {data: ndarray uint8 [N, 3072], <labelKey>: [ints], batch_label: str}, in protocol 2 with
 * the opcodes cPickle uses (numpy.core.multiarray._reconstruct, then BUILD with the array's state).
 */
export function cifarPickle(options: CifarPickleOptions): Uint8Array {
  const py2 = options.style === 'python2';
  const text = (s: string) => (py2 ? [0x55, s.length, ...ascii(s)] : [0x8c, s.length, ...ascii(s)]);
  const count = options.labels.length;
  const data = options.images;
  const bytes: number[] = [0x80, 0x02, 0x7d, 0x71, 0x01, 0x28];
  bytes.push(...text('data'), 0x71, 0x02);
  bytes.push(0x63, ...ascii('numpy.core.multiarray\n_reconstruct\n'), 0x71, 0x03);
  bytes.push(0x63, ...ascii('numpy\nndarray\n'), 0x71, 0x04);
  bytes.push(0x4b, 0x00, 0x85, ...(py2 ? [0x55, 1, ...ascii('b')] : [0x43, 1, ...ascii('b')]), 0x87, 0x52, 0x71, 0x05);
  bytes.push(0x28, 0x4b, 0x01, ...pickleInt(count), ...pickleInt(3072), 0x86);
  bytes.push(0x63, ...ascii('numpy\ndtype\n'), 0x71, 0x06, ...text('u1'), 0x4b, 0x00, 0x4b, 0x01, 0x87, 0x52, 0x71, 0x07);
  bytes.push(0x28, 0x4b, 0x03, ...text('|'), 0x4e, 0x4e, 0x4e, 0x4a, ...u32le(0xffffffff), 0x4a, ...u32le(0xffffffff), 0x4b, 0x00, 0x74, 0x62);
  bytes.push(0x89);
  const head = Uint8Array.from([...bytes, py2 ? 0x54 : 0x42, ...u32le(data.length)]);
  const tail: number[] = [0x74, 0x62];
  tail.push(...text(options.labelKey), 0x71, 0x08, 0x5d, 0x71, 0x09);
  if (count > 0) {
    tail.push(0x28);
    for (const label of options.labels) tail.push(...pickleInt(label));
    tail.push(0x65);
  }
  tail.push(...text('batch_label'), 0x71, 0x0a, ...text('testing batch 1 of 1'), 0x75, 0x2e);
  return Buffer.concat([head, data, Uint8Array.from(tail)]);
}

/** An AEDAT 2.0 file with DVS128 addresses that spikingjelly's CIFAR10-DVS reader decodes to the given events. */
export function aedat2File(events: readonly { x: number; y: number; p: number; t: number }[]): Uint8Array {
  const header = Buffer.from('#!AER-DAT2.0\r\n# This is a raw AE data file\r\n# End Of ASCII Header\r\n', 'latin1');
  const body = Buffer.alloc(events.length * 8);
  events.forEach((e, i) => {
    // Inverse of x = 127 - bits 8-14, y = 127 - bits 1-7, p = 1 - bit 0.
    const address = ((127 - e.x) << 8) | ((127 - e.y) << 1) | (1 - e.p);
    body.writeUInt32BE(address, i * 8);
    body.writeUInt32BE(e.t, i * 8 + 4);
  });
  return Buffer.concat([header, body]);
}

/** A model as far as datasets need one: name, input, source, timesteps. */
export function modelFor(shape: readonly number[], source: ModelSource = 'other', options: { scale?: number; timesteps?: number } = {}): Model {
  return {
    name: 'test-model',
    source,
    timesteps: options.timesteps ?? 4,
    input: { shape, scale: options.scale ?? 1 / 255, encoding: 'direct' },
    nodes: [],
    output: 'mean-over-time',
  };
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `spikechip-${prefix}-`));
}

export function writeFile(path: string, bytes: Uint8Array | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** Deterministic pixel bytes: image i, pixel k. */
export function testPixels(count: number, size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(count * size);
  for (let i = 0; i < out.length; i++) out[i] = (i * 31 + seed * 17 + (i >>> 7)) & 0xff;
  return out;
}

/**
 * A torch.save file of (data, target) as paper B's CIFAR10-DVS `.pt` samples: data a float32 tensor of `shape`,
 * target an int64 tensor of one label. Protocol 2 pickle in a zip, as torch 1.6+ writes it.
 */
export function framesPtFile(data: Float32Array, shape: readonly number[], label: number): Uint8Array {
  const out: number[] = [0x80, 2, 0x28]; // PROTO 2, MARK (the pair)
  const text = (s: string) => out.push(0x8c, s.length, ...ascii(s));
  const int = (n: number) => out.push(0x4a, ...u32le(n));
  const tensor = (key: string, storageType: string, dims: readonly number[]) => {
    const numel = dims.reduce((a, b) => a * b, 1);
    const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
    out.push(0x63, ...ascii('torch._utils\n_rebuild_tensor_v2\n'), 0x28, 0x28);
    text('storage');
    out.push(0x63, ...ascii(`torch\n${storageType}\n`));
    text(key);
    text('cpu');
    int(numel);
    out.push(0x74, 0x51); // TUPLE, BINPERSID
    int(0);
    out.push(0x28);
    dims.forEach(int);
    out.push(0x74, 0x28);
    strides.forEach(int);
    out.push(0x74, 0x89, 0x7d, 0x74, 0x52); // False, {}, TUPLE, REDUCE
  };
  tensor('0', 'FloatStorage', shape);
  tensor('1', 'LongStorage', [1]);
  out.push(0x74, 0x2e); // TUPLE, STOP
  const target = new Uint8Array(BigInt64Array.from([BigInt(label)]).buffer);
  return zipSync({
    'sample/data.pkl': [Uint8Array.from(out), { level: 0 }],
    'sample/data/0': [new Uint8Array(data.buffer, data.byteOffset, data.byteLength), { level: 0 }],
    'sample/data/1': [target, { level: 0 }],
  });
}
