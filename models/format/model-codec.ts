import { ModelError } from '../errors.js';
import { assertNever, type Model, type ModelNode, type ModelSource, type NeuronDynamics, type Threshold } from '../graph/model.js';
import type { Tensor } from '../graph/tensor.js';

export interface EncodedTensor {
  data: Float32Array;
  offset: number;
}

interface TensorRef {
  readonly tensor: number;
  readonly shape: readonly number[];
}

/** The JSON side of a model file: the graph with every tensor replaced by a reference into the data region. */
export function encodeModel(model: Model, store: (data: Float32Array) => number): Record<string, unknown> {
  const ref = (t: Tensor): TensorRef => ({ tensor: store(t.data), shape: [...t.shape] });
  const optionalRef = (t: Tensor | null) => (t ? ref(t) : null);
  const nodes = model.nodes.map((node): Record<string, unknown> => {
    switch (node.kind) {
      case 'conv2d':
        return { ...node, weight: ref(node.weight), bias: optionalRef(node.bias) };
      case 'linear':
        return { ...node, weight: ref(node.weight), bias: optionalRef(node.bias) };
      case 'norm':
        return { ...node, gamma: ref(node.gamma), beta: ref(node.beta), mean: ref(node.mean), variance: ref(node.variance) };
      case 'lif': {
        const th = node.threshold;
        const threshold = th.kind === 'ots' ? { kind: 'ots', initial: th.initial, frozen: th.frozen ? { tensor: store(th.frozen), shape: [th.frozen.length] } : null } : th;
        return { ...node, threshold };
      }
      case 'conv1d':
        return { ...node, weight: ref(node.weight), bias: optionalRef(node.bias) };
      case 'scale':
        return { ...node, factor: ref(node.factor) };
      case 'heaviside':
        return { ...node, threshold: ref(node.threshold) };
      case 'spiking-neuron':
        return { ...node, recurrent: node.recurrent ? { weight: ref(node.recurrent.weight), bias: optionalRef(node.recurrent.bias) } : null };
      case 'avgpool2d':
      case 'maxpool2d':
      case 'sumpool2d':
      case 'adaptiveavgpool2d':
      case 'flatten':
      case 'dropout':
      case 'add':
      case 'leaky-integrator':
        return { ...node };
      default:
        return assertNever(node);
    }
  });
  return {
    format: 'spikechip-model/1',
    name: model.name,
    source: model.source,
    timesteps: model.timesteps,
    input: model.input,
    output: model.output,
    ...(model.notes ? { notes: [...model.notes] } : {}),
    nodes,
  };
}

type Load = (offset: number, length: number) => Float32Array;

/** Rebuilds a Model from its JSON side, checking every field, so a hand-edited or damaged file fails clearly. */
export function decodeModel(graph: unknown, file: string, load: Load): Model {
  const top = obj(graph, file, '$');
  const tensorTable = top.tensors;
  if (!Array.isArray(tensorTable)) throw new ModelError(file, '$.tensors must be an array');
  const tensorData = (index: unknown, where: string): Float32Array => {
    const entry = typeof index === 'number' ? tensorTable[index] : undefined;
    const e = obj(entry, file, `${where}.tensor`);
    if (!isCount(e.offset) || !isCount(e.length)) throw new ModelError(file, `${where}: bad tensor table entry`);
    return load(e.offset, e.length);
  };
  const tensor = (value: unknown, where: string): Tensor => {
    const r = obj(value, file, where);
    const shape = r.shape;
    if (!Array.isArray(shape) || !shape.every(isCount)) throw new ModelError(file, `${where}.shape must be an array of sizes`);
    const data = tensorData(r.tensor, where);
    if (data.length !== shape.reduce((a: number, b: number) => a * b, 1)) {
      throw new ModelError(file, `${where}: shape [${shape.join(', ')}] does not match ${data.length} stored values`);
    }
    return { shape, data };
  };
  const optionalTensor = (value: unknown, where: string): Tensor | null => (value === null ? null : tensor(value, where));
  const num = (o: Record<string, unknown>, key: string, where: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelError(file, `${where}.${key} must be a finite number`);
    return v;
  };
  const str = (o: Record<string, unknown>, key: string, where: string): string => {
    const v = o[key];
    if (typeof v !== 'string') throw new ModelError(file, `${where}.${key} must be a string`);
    return v;
  };
  const pair = (o: Record<string, unknown>, key: string, where: string): [number, number] => {
    const v = o[key];
    if (!Array.isArray(v) || v.length !== 2 || !v.every(isCount)) throw new ModelError(file, `${where}.${key} must be a pair of integers`);
    return [v[0] as number, v[1] as number];
  };

  if (top.format !== 'spikechip-model/1') throw new ModelError(file, `unknown model format ${JSON.stringify(top.format)}`);
  if (!Array.isArray(top.nodes)) throw new ModelError(file, '$.nodes must be an array');
  const nodes = top.nodes.map((raw: unknown, i: number): ModelNode => {
    const where = `$.nodes[${i}]`;
    const n = obj(raw, file, where);
    const node = decodeNode(n, where);
    // Files written before graphs branched have no `input`: each node reads the one before it.
    return n.input === undefined ? node : { ...node, input: str(n, 'input', where) };
  });

  function decodeNode(n: Record<string, unknown>, where: string): ModelNode {
    const name = str(n, 'name', where);
    const kind = n.kind as ModelNode['kind'];
    switch (kind) {
      case 'conv2d':
        return {
          kind,
          name,
          weight: tensor(n.weight, `${where}.weight`),
          bias: optionalTensor(n.bias, `${where}.bias`),
          stride: pair(n, 'stride', where),
          padding: pair(n, 'padding', where),
        };
      case 'linear':
        return { kind, name, weight: tensor(n.weight, `${where}.weight`), bias: optionalTensor(n.bias, `${where}.bias`) };
      case 'norm': {
        const variant = n.variant;
        if (variant !== 'osr' && variant !== 'batchnorm') throw new ModelError(file, `${where}.variant must be 'osr' or 'batchnorm'`);
        return {
          kind,
          name,
          variant,
          gamma: tensor(n.gamma, `${where}.gamma`),
          beta: tensor(n.beta, `${where}.beta`),
          mean: tensor(n.mean, `${where}.mean`),
          variance: tensor(n.variance, `${where}.variance`),
          eps: num(n, 'eps', where),
        };
      }
      case 'lif': {
        const reset = n.reset;
        if (reset !== 'subtract' && reset !== 'zero') throw new ModelError(file, `${where}.reset must be 'subtract' or 'zero'`);
        const prefix = n.prefix === null ? null : str(n, 'prefix', where);
        return { kind, name, prefix, decay: num(n, 'decay', where), threshold: threshold(n.threshold, `${where}.threshold`), reset };
      }
      case 'avgpool2d':
      case 'maxpool2d': {
        const padding = n.padding === undefined ? 0 : size(n, 'padding', where);
        return { kind, name, kernel: count(n, 'kernel', where), stride: count(n, 'stride', where), ...(padding ? { padding } : {}) };
      }
      case 'sumpool2d':
        return { kind, name, kernel: count(n, 'kernel', where), stride: count(n, 'stride', where) };
      case 'conv1d':
        return {
          kind,
          name,
          weight: tensor(n.weight, `${where}.weight`),
          bias: optionalTensor(n.bias, `${where}.bias`),
          stride: count(n, 'stride', where),
          padding: size(n, 'padding', where),
        };
      case 'scale':
        return { kind, name, factor: tensor(n.factor, `${where}.factor`) };
      case 'heaviside':
        return { kind, name, threshold: tensor(n.threshold, `${where}.threshold`) };
      case 'spiking-neuron': {
        const reset = n.reset;
        if (reset !== 'subtract' && reset !== 'zero') throw new ModelError(file, `${where}.reset must be 'subtract' or 'zero'`);
        let recurrent = null;
        if (n.recurrent !== null) {
          const r = obj(n.recurrent, file, `${where}.recurrent`);
          recurrent = { weight: tensor(r.weight, `${where}.recurrent.weight`), bias: optionalTensor(r.bias, `${where}.recurrent.bias`) };
        }
        return { kind, name, origin: str(n, 'origin', where), dynamics: dynamics(n.dynamics, `${where}.dynamics`), threshold: num(n, 'threshold', where), reset, recurrent };
      }
      case 'leaky-integrator':
        return { kind, name, origin: str(n, 'origin', where), dynamics: dynamics(n.dynamics, `${where}.dynamics`) };
      case 'adaptiveavgpool2d':
        return { kind, name, output: pair(n, 'output', where) };
      case 'flatten':
        return { kind, name };
      case 'dropout':
        return { kind, name, p: num(n, 'p', where) };
      case 'add':
        return { kind, name, from: str(n, 'from', where) };
      default:
        throw new ModelError(file, `${where}.kind ${JSON.stringify(kind)} is not a known layer kind`);
    }
  }

  function threshold(value: unknown, where: string): Threshold {
    const t = obj(value, file, where);
    if (t.kind === 'fixed') return { kind: 'fixed', value: num(t, 'value', where) };
    if (t.kind === 'ots') {
      const frozen = t.frozen === null ? null : tensor(t.frozen, `${where}.frozen`).data;
      return { kind: 'ots', initial: num(t, 'initial', where), frozen };
    }
    throw new ModelError(file, `${where}.kind must be 'fixed' or 'ots'`);
  }

  function dynamics(value: unknown, where: string): NeuronDynamics {
    const d = obj(value, file, where);
    let current = null;
    if (d.current !== null) {
      const c = obj(d.current, file, `${where}.current`);
      current = { decay: num(c, 'decay', `${where}.current`), scale: num(c, 'scale', `${where}.current`) };
    }
    return { decay: num(d, 'decay', where), inputScale: num(d, 'inputScale', where), leak: num(d, 'leak', where), current };
  }

  function size(o: Record<string, unknown>, key: string, where: string): number {
    const v = o[key];
    if (!isCount(v)) throw new ModelError(file, `${where}.${key} must be a non-negative integer`);
    return v;
  }

  function count(o: Record<string, unknown>, key: string, where: string): number {
    const v = o[key];
    if (!isCount(v) || v === 0) throw new ModelError(file, `${where}.${key} must be a positive integer`);
    return v;
  }

  const input = obj(top.input, file, '$.input');
  const shape = input.shape;
  if (!Array.isArray(shape) || !shape.every(isCount)) throw new ModelError(file, '$.input.shape must be an array of sizes');
  const timesteps = num(top, 'timesteps', '$');
  if (!Number.isInteger(timesteps) || timesteps < 1) throw new ModelError(file, '$.timesteps must be a positive integer');
  const sources: readonly ModelSource[] = ['osr-ots', 'rate-bp', 'nir', 'other'];
  if (!sources.includes(top.source as ModelSource)) throw new ModelError(file, `$.source ${JSON.stringify(top.source)} is not known`);
  // Files written before notes existed have none.
  let notes: string[] | undefined;
  if (top.notes !== undefined) {
    if (!Array.isArray(top.notes) || !top.notes.every((n) => typeof n === 'string')) throw new ModelError(file, '$.notes must be an array of strings');
    notes = top.notes as string[];
  }
  return {
    name: str(top, 'name', '$'),
    source: top.source as ModelSource,
    timesteps,
    input: { shape, scale: num(input, 'scale', '$.input'), encoding: 'direct' },
    nodes,
    output: 'mean-over-time',
    ...(notes ? { notes } : {}),
  };
}

function obj(value: unknown, file: string, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ModelError(file, `${where} must be an object`);
  return value as Record<string, unknown>;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
