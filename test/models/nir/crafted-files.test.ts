import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../models/errors.js';
import { writeHdf5 } from '../../../models/nir/hdf5.js';
import { nirArray, type NirNode } from '../../../models/nir/nir-graph.js';
import { readNirModel } from '../../../models/nir/read-nir.js';
import { writeNir } from '../../../models/nir/write-nir.js';
import { ReferenceExecutor } from '../../../models/reference/executor.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { chainFile, inputOf, one, perStepOutputs } from './nir-test-helpers.js';

/*
 * Small NIR files written here with h5wasm, for the node types the fixtures lack (Threshold, Scale, CubaLI, LI,
 * Integrator, AvgPool2d, Conv1d), the layouts NIR files come in (gzip-chunked arrays, edges as src/dst), and every
 * refusal: an unsupported filter, a Delay, a missing edge target, a shape that does not fit.
 */

const FILE = 'crafted.nir';
const errorOf = (run: () => unknown): ModelError => {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return e as ModelError;
  }
  throw new Error('expected a ModelError');
};
const runOnce = (bytes: Uint8Array, x: readonly number[]) => {
  const model = readNirModel(bytes, FILE, { timesteps: 1 });
  return [...new ReferenceExecutor(model, 1).run(inputOf(model, x), 1, 'frozen').outputs];
};

describe('node types the fixtures lack', () => {
  it('Threshold: z = H(x - theta) per element', () => {
    const bytes = chainFile([3], [{ type: 'Threshold', name: 'th', threshold: nirArray([0.5, 0, 2]) }], [3]);
    expect(readNirModel(bytes, FILE).nodes.map((n) => n.kind)).toEqual(['heaviside']);
    expect(runOnce(bytes, [0.7, -0.1, 2])).toEqual([1, 0, 1]);
  });

  it('Scale: y = s * x after a Linear', () => {
    const bytes = chainFile(
      [2],
      [
        { type: 'Linear', name: 'fc', weight: nirArray([1, 2, 3, 4], [2, 2]) },
        { type: 'Scale', name: 's', scale: nirArray([0.5, -2]) },
      ],
      [2],
    );
    expect(runOnce(bytes, [1, 1])).toEqual([1.5, -14]);
  });

  it('Conv1d: [C, L] convolution with stride and padding', () => {
    // weight [2 out, 1 in, 3]: out0 = [1, 0, -1], out1 = [1, 1, 1]; stride 2, padding 1 over L = 5 -> L' = 3.
    const conv: NirNode = {
      type: 'Conv1d',
      name: 'c',
      weight: nirArray([1, 0, -1, 1, 1, 1], [2, 1, 3]),
      bias: nirArray([0, 10]),
      stride: [2],
      padding: [1],
      dilation: [1],
      groups: 1,
    };
    const bytes = chainFile([1, 5], [conv], [2, 3]);
    // padded x = [0, 1, 2, 3, 4, 5, 0]; windows at 0, 2, 4.
    expect(runOnce(bytes, [1, 2, 3, 4, 5])).toEqual([0 - 2, 2 - 4, 4 - 0, 10 + 3, 10 + 9, 10 + 9]);
  });

  it('AvgPool2d: mean over square windows', () => {
    const bytes = chainFile([1, 2, 4], [{ type: 'AvgPool2d', name: 'p', kernel: [2, 2], stride: [2, 2], padding: [0, 0] }], [1, 1, 2]);
    expect(runOnce(bytes, [1, 2, 3, 4, 5, 6, 7, 8])).toEqual([3.5, 5.5]);
  });

  it('LI, CubaLI and Integrator: non-spiking, output is v (forward Euler with dt = 1e-4 s given)', () => {
    const li: NirNode = { type: 'LI', name: 'li', tau: one(1e-3), r: one(2), vLeak: one(0) };
    const cubaLi: NirNode = { type: 'CubaLI', name: 'cli', tauMem: one(1e-3), tauSyn: one(5e-4), r: one(1), vLeak: one(0), wIn: one(1) };
    const integrator: NirNode = { type: 'I', name: 'i', r: one(1000) };
    const cases: [NirNode, (x: number, steps: number) => number[]][] = [
      [
        li,
        (x, n) => {
          let v = 0;
          return Array.from({ length: n }, () => (v += 0.1 * (-v + 2 * x)));
        },
      ],
      [
        cubaLi,
        (x, n) => {
          let i = 0;
          let v = 0;
          return Array.from({ length: n }, () => {
            i += 0.2 * (-i + x);
            return (v += 0.1 * (-v + i));
          });
        },
      ],
      [
        integrator,
        (x, n) => {
          let v = 0;
          return Array.from({ length: n }, () => (v += 1e-4 * 1000 * x));
        },
      ],
    ];
    for (const [node, expected] of cases) {
      const model = readNirModel(chainFile([1], [node], [1]), FILE, { dt: 1e-4 });
      expect(model.nodes[0]!.kind).toBe('leaky-integrator');
      expect(model.notes![0]).toBe('NIR 1.0.0: dt = 0.0001 s as given, forward-euler integration');
      const got = perStepOutputs(model, inputOf(model, [0.8]), 12).map((r) => r[0]!);
      expected(0.8, 12).forEach((v, t) => expect(got[t]).toBeCloseTo(v, 5));
    }
  });
});

describe('file layouts', () => {
  it('reads gzip-chunked arrays and edges stored as src/dst datasets', () => {
    const weight = Float32Array.from({ length: 80 }, (_, k) => (k % 9) - 4);
    const bytes = writeHdf5({
      version: { strings: '0.2.0' },
      node: {
        type: { strings: 'NIRGraph' },
        nodes: {
          input: { type: { strings: 'Input' }, shape: { int64: [10] } },
          fc: { type: { strings: 'Affine' }, weight: { float32: weight, shape: [8, 10], gzip: true }, bias: { float32: new Float32Array(8), shape: [8], gzip: true } },
          output: { type: { strings: 'Output' }, shape: { int64: [8] } },
        },
        edges: { src: { strings: ['input', 'fc'] }, dst: { strings: ['fc', 'output'] } },
      },
    });
    const model = readNirModel(bytes, FILE);
    const fc = model.nodes[0]!;
    expect(fc.kind === 'linear' && [...fc.weight.data]).toEqual([...weight]);
  });

  it('inlines a nested graph and attaches its recurrent linear map', () => {
    const cuba = (name: string): NirNode => ({
      type: 'CubaLIF',
      name,
      tauMem: one(1e-3),
      tauSyn: one(5e-4),
      r: one(10),
      vLeak: one(0),
      vThreshold: one(1),
      wIn: one(5),
      vReset: null,
    });
    const inner = {
      nodes: [
        { type: 'Input', name: 'input', shape: [3] } as NirNode,
        cuba('lif'),
        { type: 'Linear', name: 'rec', weight: nirArray([0, 1, 0, 0, 0, 1, 1, 0, 0], [3, 3]) } as NirNode,
        { type: 'Output', name: 'output', shape: [3] } as NirNode,
      ],
      edges: [
        { source: 'input', target: 'lif' },
        { source: 'lif', target: 'rec' },
        { source: 'rec', target: 'lif' },
        { source: 'lif', target: 'output' },
      ],
    };
    const bytes = chainFile(
      [2],
      [
        { type: 'Linear', name: 'fc', weight: nirArray([1, 0, 0, 1, 1, 1], [3, 2]) },
        { type: 'NIRGraph', name: 'layer', graph: inner },
      ],
      [3],
    );
    const model = readNirModel(bytes, FILE);
    expect(model.nodes.map((n) => `${n.name}:${n.kind}`)).toEqual(['fc:linear', 'layer.lif:spiking-neuron']);
    const lif = model.nodes[1]!;
    expect(lif.kind === 'spiking-neuron' && lif.recurrent?.weight.shape).toEqual([3, 3]);
  });
});

describe('refusals', () => {
  it('refuses a dataset compressed with LZF, naming the file and the dataset', () => {
    const path = fixturePath('nir', 'crafted/lzf_affine.nir');
    const e = errorOf(() => readNirModel(readFileSync(path), path));
    expect(e.message).toBe(`${path}: dataset /node/nodes/fc/weight uses HDF5 filter 32000 (lzf); only deflate (gzip) and shuffle can be read`);
  });

  it('refuses Delay and unknown node types', () => {
    const delay = writeHdf5({
      version: { strings: '1.0.0' },
      node: {
        type: { strings: 'NIRGraph' },
        nodes: { d: { type: { strings: 'Delay' }, delay: { float64: Float64Array.of(1), shape: [1] } } },
        edges: { strings: [], shape: [0, 2] },
      },
    });
    expect(errorOf(() => readNirModel(delay, FILE)).message).toBe(`${FILE}: /node/nodes/d (Delay): Delay nodes are not supported (spikechip models have no synaptic delays)`);
  });

  it('refuses a weight that does not fit its input, naming the node', () => {
    const bytes = chainFile([4], [{ type: 'Linear', name: 'fc', weight: nirArray(new Array<number>(15).fill(1), [3, 5]) }], [3]);
    expect(errorOf(() => readNirModel(bytes, FILE)).message).toBe(`${FILE}: layer fc (linear): weight [3, 5] expects input [5], got [4]`);
  });

  it('refuses per-neuron parameters of the wrong size, naming the node', () => {
    const lif: NirNode = { type: 'LIF', name: 'lif', tau: nirArray([1e-3, 1e-3, 1e-3]), r: one(1), vLeak: one(0), vThreshold: one(1), vReset: null };
    const bytes = chainFile([4], [lif], [4]);
    expect(errorOf(() => readNirModel(bytes, FILE)).message).toBe(`${FILE}: node lif (LIF): tau has shape [3], its input is [4]`);
  });

  it('refuses an Output whose shape differs from what reaches it (strict outside Rockpool files)', () => {
    const bytes = chainFile([1], [{ type: 'Linear', name: 'fc', weight: nirArray([1], [1, 1]) }], [1, 1, 1]);
    expect(errorOf(() => readNirModel(bytes, FILE)).message).toBe(`${FILE}: node output (Output): shape [1, 1, 1], but the chain before it produces [1]`);
  });

  it('refuses a branch that reaches no Output and a node the Input does not reach, naming the node', () => {
    const linear = (name: string): NirNode => ({ type: 'Linear', name, weight: nirArray([1], [1, 1]) });
    const nodes: NirNode[] = [{ type: 'Input', name: 'input', shape: [1] }, linear('a'), linear('b'), { type: 'Output', name: 'output', shape: [1] }];
    const dead = writeNirFile(nodes, [
      { source: 'input', target: 'a' },
      { source: 'input', target: 'b' },
      { source: 'a', target: 'output' },
    ]);
    expect(errorOf(() => readNirModel(dead, FILE)).message).toBe(`${FILE}: node b (Linear) reaches no Output (an unused branch)`);
    const orphan = writeNirFile(nodes, [
      { source: 'input', target: 'a' },
      { source: 'b', target: 'a' },
      { source: 'a', target: 'output' },
    ]);
    expect(errorOf(() => readNirModel(orphan, FILE)).message).toBe(`${FILE}: node b (Linear) is not on a path from the Input`);
  });

  it('refuses a cycle that is not a neuron with its recurrent map, naming a node on it', () => {
    const linear = (name: string): NirNode => ({ type: 'Linear', name, weight: nirArray([1], [1, 1]) });
    const nodes: NirNode[] = [{ type: 'Input', name: 'input', shape: [1] }, linear('a'), linear('b'), { type: 'Output', name: 'output', shape: [1] }];
    const bytes = writeNirFile(nodes, [
      { source: 'input', target: 'a' },
      { source: 'a', target: 'b' },
      { source: 'b', target: 'a' },
      { source: 'b', target: 'output' },
    ]);
    expect(errorOf(() => readNirModel(bytes, FILE)).message).toBe(`${FILE}: node a (Linear) is on a cycle that is not a neuron's recurrent linear map`);
  });

  it('refuses a file that is not HDF5, and an HDF5 file that is not NIR', () => {
    expect(errorOf(() => readNirModel(new TextEncoder().encode('not hdf5'), FILE)).message).toBe(`${FILE}: not an HDF5 file (no HDF5 signature)`);
    const other = writeHdf5({ data: { float32: Float32Array.of(1), shape: [1] } });
    expect(errorOf(() => readNirModel(other, FILE)).message).toBe(`${FILE}: not a NIR file: no /version string dataset`);
  });
});

function writeNirFile(nodes: NirNode[], edges: { source: string; target: string }[]): Uint8Array {
  return writeNir({ version: '1.0.0', graph: { nodes, edges }, hints: null });
}
