import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { readModelFile, serializeModel } from '../../models/format/model-file.js';
import type { Model, ModelNode } from '../../models/graph/model.js';
import { deflatedZeros, stateDictPickle, torchCheckpoint, type ZipRecord } from './hostile-files.js';

/*
 * The hostile files of issue 13 as bytes, built from sizes the caller chooses (the in-process tests use a small
 * budget and small bombs; the command-line tests the default budget and the issue's own sizes).
 */

const MIB = 2 ** 20;

/** A zip bomb: a storage record of `bytes` zeros, deflated (2 GiB take 2 MB), its size declared truthfully. */
export function pthDeclaringHugeEntry(bytes: number): Uint8Array {
  const record: ZipRecord = { name: 'archive/data/0', data: deflatedZeros(bytes), method: 8, declaredSize: bytes };
  return torchCheckpoint(stateDictPickle([]), [record]);
}

/** A checkpoint whose storage record declares `declaredBytes` but inflates to `actualBytes` of zeros. */
export function pthInflatingPastItsSize(declaredBytes: number, actualBytes: number): Uint8Array {
  const record: ZipRecord = { name: 'archive/data/0', data: deflatedZeros(actualBytes), method: 8, declaredSize: declaredBytes };
  return torchCheckpoint(stateDictPickle([]), [record]);
}

/** A uint8 storage of `elements` zeros (deflated: about a thousandth of that) with `views` full-length views of it. */
export function pthWithHugeViews(elements: number, views: number): Uint8Array {
  const pickle = stateDictPickle(
    Array.from({ length: views }, (_, i) => ({
      name: `view${i}`,
      storage: '0',
      storageType: 'ByteStorage',
      storageNumel: elements,
      offset: 0,
      size: [elements],
      stride: [1],
    })),
  );
  return torchCheckpoint(pickle, [{ name: 'archive/data/0', data: deflatedZeros(elements), method: 8, declaredSize: elements }]);
}

/** `count` uint8 tensors of `elements` zeros, each on its own (deflated) storage record. */
export function pthWithSeparateTensors(count: number, elements: number): Uint8Array {
  const keys = Array.from({ length: count }, (_, i) => String(i));
  const pickle = stateDictPickle(
    keys.map((key) => ({ name: `t${key}`, storage: key, storageType: 'ByteStorage', storageNumel: elements, offset: 0, size: [elements], stride: [1] })),
  );
  return torchCheckpoint(
    pickle,
    keys.map((key): ZipRecord => ({ name: `archive/data/${key}`, data: deflatedZeros(elements), method: 8, declaredSize: elements })),
  );
}

/** A checkpoint whose data.pkl is `bytes` long (NONE opcodes: cheap to write, each a value on the stack). */
export function pthWithLongPickle(bytes: number): Uint8Array {
  const pickle = new Uint8Array(bytes).fill(0x4e);
  pickle.set([0x80, 2], 0);
  pickle[bytes - 1] = 0x2e;
  return torchCheckpoint(pickle, []);
}

export const HUGE_UNWRITTEN_NIR = fileURLToPath(new URL('../fixtures/hostile/huge-unwritten-chunked.nir', import.meta.url));
export const OSR_CHECKPOINT = fileURLToPath(new URL('../fixtures/osr-fmnist-conv/checkpoint.pth', import.meta.url));
export const OSR_ARCH = fileURLToPath(new URL('../fixtures/osr-fmnist-conv/arch.json', import.meta.url));

/** The fixture's arch.json with one change. */
export function osrArchWith(
  edit: (arch: { timesteps: number; layers: Record<string, unknown>[]; neuron: Record<string, unknown>; input: Record<string, unknown> }) => void,
): string {
  const arch = JSON.parse(readFileSync(OSR_ARCH, 'utf8')) as Parameters<typeof edit>[0];
  edit(arch);
  return JSON.stringify(arch);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The bundled model with one change, saved as a valid `.snnmodel` (its CRC is right: only the content lies). */
export function bundledModelWith(edit: (model: Mutable<Model>, nodes: Mutable<ModelNode>[]) => void): Uint8Array {
  const model = structuredClone(readModelFile(bundledModelPath())) as Mutable<Model>;
  const nodes = [...model.nodes] as Mutable<ModelNode>[];
  model.nodes = nodes;
  edit(model, nodes);
  return serializeModel(model);
}

/** The edits of a `.snnmodel` that the `.pth` + arch path refuses too, and the words each error must hold. */
export const HOSTILE_MODEL_EDITS: readonly { readonly name: string; readonly edit: Parameters<typeof bundledModelWith>[0]; readonly expected: string }[] = [
  { name: 'timesteps 1e9', edit: (m) => (m.timesteps = 1e9), expected: 'timesteps: 1000000000 is not an integer in 1..100000' },
  {
    name: 'a NaN weight',
    edit: (_, nodes) => {
      const conv = nodes.find((n) => n.kind === 'conv2d') as { weight: { data: Float32Array } };
      conv.weight.data[0] = Number.NaN;
    },
    expected: 'layer features.0.synapse (conv2d) weight: holds NaN at flat index 0; weights must be finite',
  },
  {
    name: 'an infinite bias',
    edit: (_, nodes) => {
      const linear = nodes.find((n) => n.kind === 'linear') as { bias: { data: Float32Array } };
      linear.bias.data[3] = -Infinity;
    },
    expected: 'layer classifier.0 (linear) bias: holds -Infinity at flat index 3; weights must be finite',
  },
  {
    name: 'decay 2',
    edit: (_, nodes) => ((nodes.find((n) => n.kind === 'lif') as { decay: number }).decay = 2),
    expected: 'layer features.0.neuron (lif): decay 2 is outside [0, 1]',
  },
  {
    name: 'eps -1',
    edit: (_, nodes) => ((nodes.find((n) => n.kind === 'norm') as { eps: number }).eps = -1),
    expected: 'layer features.0.bn (norm): eps -1 is not a positive finite number',
  },
  { name: 'input scale -1', edit: (m) => (m.input = { ...m.input, scale: -1 }), expected: 'input.scale: -1 is not a positive finite number' },
  {
    name: 'a threshold of 0',
    edit: (_, nodes) => {
      const lif = nodes.find((n) => n.kind === 'lif') as { threshold: unknown };
      lif.threshold = { kind: 'fixed', value: 0 };
    },
    expected: 'layer features.0.neuron (lif): threshold 0 is not a positive finite number',
  },
  {
    name: 'an adaptive pool to [1e9, 1e9]',
    edit: (_, nodes) => {
      const at = nodes.findIndex((n) => n.kind === 'avgpool2d');
      nodes[at] = { kind: 'adaptiveavgpool2d', name: 'huge-pool', output: [1e9, 1e9] };
    },
    expected: 'layer huge-pool (adaptiveavgpool2d) output[0]: 1000000000 is not an integer in 1..4096',
  },
];

export const BYTES = { MIB } as const;

/** JSON text whose `format` field is an array nested `depth` levels deep (JSON.stringify of it overflows the stack). */
export function deeplyNestedJson(depth: number, fields = ''): string {
  return `{${fields}"format":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** A `.snnmodel` with a valid header and CRC whose graph JSON is `json`. */
export function modelFileWithJson(json: string): Uint8Array {
  const text = new TextEncoder().encode(json);
  const dataStart = Math.ceil((24 + text.length) / 8) * 8;
  const bytes = new Uint8Array(dataStart);
  bytes.set(new TextEncoder().encode('SPKMODEL'), 0);
  const header = new DataView(bytes.buffer);
  header.setUint32(8, 1, true);
  header.setUint32(12, text.length, true);
  bytes.set(text, 24);
  header.setUint32(16, crc32(bytes.subarray(24)), true);
  return bytes;
}
