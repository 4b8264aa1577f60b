import { ModelError } from '../errors.js';
import type { Hdf5Dataset, Hdf5Group, Hdf5Node } from './hdf5.js';
import type { NirArray, NirEdge, NirFile, NirGraph, NirNode, SpikechipHints } from './nir-graph.js';

/**
 * The NIR HDF5 layout: `/version` (string), `/node` a graph group with `type` = NIRGraph, `nodes/<name>/` one group
 * per node (`type` and its fields), and `edges` an (E, 2) string array, or `edges/src` and `edges/dst`.
 * Every edge must name nodes of its own graph; the error names the edge and the graph it is in.
 */
export function parseNir(root: Hdf5Group, file: string): NirFile {
  const version = root.children.get('version');
  const versionText = version?.kind === 'dataset' && version.values.kind === 'strings' ? (version.values.data[0] ?? '') : null;
  if (versionText === null) throw new ModelError(file, 'not a NIR file: no /version string dataset');
  const node = root.children.get('node');
  if (node?.kind !== 'group') throw new ModelError(file, 'not a NIR file: no /node group');
  return { version: versionText, graph: parseGraph(node, file), hints: parseHints(root.children.get('spikechip'), file) };
}

function parseHints(group: Hdf5Node | undefined, file: string): SpikechipHints | null {
  if (group?.kind !== 'group') return null;
  const dt = group.children.get('dt');
  const reset = group.children.get('reset');
  const dtValue = dt?.kind === 'dataset' && dt.values.kind === 'numbers' ? dt.values.data[0] : undefined;
  const resetValue = reset?.kind === 'dataset' && reset.values.kind === 'strings' ? reset.values.data[0] : undefined;
  const steps = group.children.get('timesteps');
  const stepsValue = steps?.kind === 'dataset' && steps.values.kind === 'numbers' ? steps.values.data[0] : undefined;
  if (
    dtValue === undefined ||
    !(dtValue > 0) ||
    (resetValue !== 'zero' && resetValue !== 'subtract') ||
    stepsValue === undefined ||
    !Number.isInteger(stepsValue) ||
    stepsValue < 1
  ) {
    throw new ModelError(file, '/spikechip must hold a positive dt, a reset of zero or subtract and a positive number of timesteps');
  }
  return { dt: dtValue, reset: resetValue, timesteps: stepsValue };
}

function parseGraph(group: Hdf5Group, file: string): NirGraph {
  const type = stringField(group, 'type', file);
  if (type !== 'NIRGraph') throw new ModelError(file, `${group.path}: type '${type}', expected NIRGraph`);
  const nodesGroup = group.children.get('nodes');
  if (nodesGroup?.kind !== 'group') throw new ModelError(file, `${group.path}: no nodes group`);
  const nodes = [...nodesGroup.children].map(([name, child]) => {
    if (child.kind !== 'group') throw new ModelError(file, `${child.path}: a node must be a group`);
    return parseNode(name, child, file);
  });
  const edges = parseEdges(group, file);
  const names = new Set(nodes.map((n) => n.name));
  for (const edge of edges) {
    for (const end of [edge.source, edge.target]) {
      if (!names.has(end)) {
        throw new ModelError(
          file,
          `${group.path}: edge ${edge.source} -> ${edge.target} names node '${end}', which does not exist in this graph (nodes: ${[...names].join(', ')})`,
        );
      }
    }
  }
  return { nodes, edges };
}

function parseEdges(group: Hdf5Group, file: string): NirEdge[] {
  const edges = group.children.get('edges');
  if (!edges) throw new ModelError(file, `${group.path}: no edges`);
  let sources: readonly string[];
  let targets: readonly string[];
  if (edges.kind === 'group') {
    sources = strings(edges.children.get('src'), `${edges.path}/src`, file);
    targets = strings(edges.children.get('dst'), `${edges.path}/dst`, file);
    if (sources.length !== targets.length) throw new ModelError(file, `${edges.path}: ${sources.length} sources but ${targets.length} targets`);
  } else {
    const flat = strings(edges, edges.path, file);
    const empty = flat.length === 0;
    if (!empty && (edges.shape.length !== 2 || edges.shape[1] !== 2)) {
      throw new ModelError(file, `dataset ${edges.path} has shape [${edges.shape.join(', ')}], expected (E, 2) node names`);
    }
    sources = flat.filter((_, i) => i % 2 === 0);
    targets = flat.filter((_, i) => i % 2 === 1);
  }
  return sources.map((source, i) => ({ source, target: targets[i]! }));
}

function parseNode(name: string, group: Hdf5Group, file: string): NirNode {
  const type = stringField(group, 'type', file);
  const where = `${group.path} (${type})`;
  const array = (key: string): NirArray => {
    const d = group.children.get(key);
    if (d?.kind !== 'dataset' || d.values.kind !== 'numbers') throw new ModelError(file, `${where}: numeric field '${key}' is missing`);
    return { shape: d.shape, data: d.values.data };
  };
  const optionalArray = (key: string): NirArray | null => (group.children.has(key) ? array(key) : null);
  const ints = (key: string, fallback?: readonly number[]): readonly number[] => {
    if (!group.children.has(key) && fallback) return fallback;
    const a = array(key);
    if (![...a.data].every(Number.isInteger)) throw new ModelError(file, `${where}: field '${key}' must hold integers`);
    return [...a.data];
  };
  const int = (key: string, fallback: number): number => {
    if (!group.children.has(key)) return fallback;
    const a = array(key);
    if (a.data.length !== 1 || !Number.isInteger(a.data[0])) throw new ModelError(file, `${where}: field '${key}' must be one integer`);
    return a.data[0]!;
  };
  switch (type) {
    case 'Input':
    case 'Output':
      return { type, name, shape: ints('shape') };
    case 'Affine':
      return { type, name, weight: array('weight'), bias: array('bias') };
    case 'Linear':
      return { type, name, weight: array('weight') };
    case 'Conv1d':
    case 'Conv2d': {
      const n = type === 'Conv1d' ? 1 : 2;
      const perAxis = (key: string, fallback: number) => {
        const d = group.children.get(key);
        if (d?.kind === 'dataset' && d.values.kind === 'strings') return paddingMode(d, where, file);
        const v = ints(key, new Array<number>(n).fill(fallback));
        return v.length === 1 ? new Array<number>(n).fill(v[0]!) : v;
      };
      return {
        type,
        name,
        weight: array('weight'),
        bias: optionalArray('bias'),
        stride: perAxis('stride', 1),
        padding: perAxis('padding', 0),
        dilation: perAxis('dilation', 1),
        groups: int('groups', 1),
      };
    }
    case 'SumPool2d':
    case 'AvgPool2d':
      return { type, name, kernel: ints('kernel_size'), stride: ints('stride'), padding: ints('padding', [0, 0]) };
    case 'Flatten': {
      const inputShape = group.children.has('input_type') ? ints('input_type') : null;
      return { type, name, startDim: int('start_dim', 1), endDim: int('end_dim', -1), inputShape };
    }
    case 'Scale':
      return { type, name, scale: array('scale') };
    case 'Threshold':
      return { type, name, threshold: array('threshold') };
    case 'IF':
      return { type, name, r: array('r'), vThreshold: array('v_threshold'), vReset: optionalArray('v_reset') };
    case 'LIF':
      return { type, name, tau: array('tau'), r: array('r'), vLeak: array('v_leak'), vThreshold: array('v_threshold'), vReset: optionalArray('v_reset') };
    case 'CubaLIF':
      return {
        type,
        name,
        tauMem: array('tau_mem'),
        tauSyn: array('tau_syn'),
        r: array('r'),
        vLeak: array('v_leak'),
        vThreshold: array('v_threshold'),
        wIn: optionalArray('w_in') ?? { shape: [1], data: Float64Array.of(1) },
        vReset: optionalArray('v_reset'),
      };
    case 'LI':
      return { type, name, tau: array('tau'), r: array('r'), vLeak: array('v_leak') };
    case 'CubaLI':
      return {
        type,
        name,
        tauMem: array('tau_mem'),
        tauSyn: array('tau_syn'),
        r: array('r'),
        vLeak: array('v_leak'),
        wIn: optionalArray('w_in') ?? { shape: [1], data: Float64Array.of(1) },
      };
    case 'I':
    case 'Integrator':
      return { type: 'I', name, r: array('r') };
    case 'NIRGraph':
      return { type, name, graph: parseGraph(group, file) };
    case 'Delay':
      throw new ModelError(file, `${where}: Delay nodes are not supported (spikechip models have no synaptic delays)`);
    default:
      throw new ModelError(file, `${where}: unknown NIR node type '${type}'`);
  }
}

/** 'valid' is no padding; 'same' keeps the size for odd kernels at stride 1. */
function paddingMode(d: Hdf5Dataset, where: string, file: string): number[] {
  const mode = d.values.kind === 'strings' ? d.values.data[0] : undefined;
  if (mode === 'valid') return [0, 0];
  throw new ModelError(file, `${where}: padding '${mode}' is not supported (give the padding as numbers)`);
}

function stringField(group: Hdf5Group, key: string, file: string): string {
  const d = group.children.get(key);
  if (d?.kind !== 'dataset' || d.values.kind !== 'strings' || d.values.data.length !== 1) {
    throw new ModelError(file, `${group.path}: no '${key}' string`);
  }
  return d.values.data[0]!;
}

function strings(node: Hdf5Node | undefined, path: string, file: string): readonly string[] {
  if (node?.kind !== 'dataset' || (node.values.kind !== 'strings' && node.values.data.length > 0)) {
    throw new ModelError(file, `${path} must be a dataset of node names`);
  }
  return node.values.kind === 'strings' ? node.values.data : [];
}
