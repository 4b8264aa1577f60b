import { writeHdf5, type Hdf5WriteDataset, type Hdf5WriteGroup } from './hdf5.js';
import type { NirArray, NirFile, NirGraph, NirNode } from './nir-graph.js';

/**
 * A NIR graph as HDF5 bytes in the layout NIR's reader walks: `/version`, `/node` (type NIRGraph, `nodes/<name>/`
 * with `type` and the fields under their NIR names, `edges` an (E, 2) string array), plus `/spikechip` hints.
 * Weights and biases are float32 (what they are in a Model), neuron parameters float64, sizes int64; arrays
 * larger than a few values are gzip-compressed.
 */
export function writeNir(nir: NirFile): Uint8Array {
  const root: Record<string, Hdf5WriteGroup | Hdf5WriteDataset> = {
    version: { strings: nir.version },
    node: graphGroup(nir.graph),
  };
  if (nir.hints) root.spikechip = { dt: { float64: Float64Array.of(nir.hints.dt), shape: [] }, reset: { strings: nir.hints.reset }, timesteps: { int64: nir.hints.timesteps } };
  return writeHdf5(root);
}

function graphGroup(graph: NirGraph): Hdf5WriteGroup {
  const nodes: Record<string, Hdf5WriteGroup> = {};
  for (const node of graph.nodes) nodes[node.name] = nodeGroup(node);
  const edges = graph.edges.flatMap((e) => [e.source, e.target]);
  return { type: { strings: 'NIRGraph' }, nodes, edges: { strings: edges, shape: [graph.edges.length, 2] } };
}

const GZIP_MIN = 64;

function f32(a: NirArray): Hdf5WriteDataset {
  return { float32: Float32Array.from(a.data), shape: a.shape, gzip: a.data.length >= GZIP_MIN };
}

function f64(a: NirArray): Hdf5WriteDataset {
  return { float64: a.data, shape: a.shape, gzip: a.data.length >= GZIP_MIN };
}

function ints(values: readonly number[]): Hdf5WriteDataset {
  return { int64: values, shape: [values.length] };
}

function nodeGroup(node: NirNode): Hdf5WriteGroup {
  const type = { strings: node.type };
  switch (node.type) {
    case 'Input':
    case 'Output':
      return { type, shape: ints(node.shape) };
    case 'Affine':
      return { type, weight: f32(node.weight), bias: f32(node.bias) };
    case 'Linear':
      return { type, weight: f32(node.weight) };
    case 'Conv1d':
    case 'Conv2d':
      return {
        type,
        weight: f32(node.weight),
        ...(node.bias ? { bias: f32(node.bias) } : {}),
        stride: ints(node.stride),
        padding: ints(node.padding),
        dilation: ints(node.dilation),
        groups: { int64: node.groups },
      };
    case 'SumPool2d':
    case 'AvgPool2d':
      return { type, kernel_size: ints(node.kernel), stride: ints(node.stride), padding: ints(node.padding) };
    case 'Flatten':
      return { type, start_dim: { int64: node.startDim }, end_dim: { int64: node.endDim }, ...(node.inputShape ? { input_type: ints(node.inputShape) } : {}) };
    case 'Scale':
      return { type, scale: f64(node.scale) };
    case 'Threshold':
      return { type, threshold: f64(node.threshold) };
    case 'IF':
      return { type, r: f64(node.r), v_threshold: f64(node.vThreshold), ...(node.vReset ? { v_reset: f64(node.vReset) } : {}) };
    case 'LIF':
      return { type, tau: f64(node.tau), r: f64(node.r), v_leak: f64(node.vLeak), v_threshold: f64(node.vThreshold), ...(node.vReset ? { v_reset: f64(node.vReset) } : {}) };
    case 'CubaLIF':
      return {
        type,
        tau_mem: f64(node.tauMem),
        tau_syn: f64(node.tauSyn),
        r: f64(node.r),
        v_leak: f64(node.vLeak),
        v_threshold: f64(node.vThreshold),
        w_in: f64(node.wIn),
        ...(node.vReset ? { v_reset: f64(node.vReset) } : {}),
      };
    case 'LI':
      return { type, tau: f64(node.tau), r: f64(node.r), v_leak: f64(node.vLeak) };
    case 'CubaLI':
      return { type, tau_mem: f64(node.tauMem), tau_syn: f64(node.tauSyn), r: f64(node.r), v_leak: f64(node.vLeak), w_in: f64(node.wIn) };
    case 'I':
      return { type, r: f64(node.r) };
    case 'NIRGraph':
      return graphGroup(node.graph);
  }
}
