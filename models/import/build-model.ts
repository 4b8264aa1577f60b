import type { ArchLayer, ArchSpec } from '../arch/arch-spec.js';
import { ModelError } from '../errors.js';
import type { Model, ModelNode } from '../graph/model.js';
import { inferShapes } from '../graph/shapes.js';
import { formatShape, sameShape, type Tensor } from '../graph/tensor.js';
import { toFloat32, type PthTensor } from '../pth/read-pth.js';
import { seedDecay } from './seed-conventions.js';

/**
 * Turns an arch spec and the tensors of a state dict into a Model, checking every key, every shape and every
 * value (NaN / infinity), so that a bad checkpoint fails here, naming the file, the layer and the key.
 */
export function buildModel(arch: ArchSpec, stateDict: ReadonlyMap<string, PthTensor>, file: string): Model {
  const take = (key: string, layer: string, expected: readonly number[]): Tensor => {
    const t = stateDict.get(key);
    if (!t) throw new ModelError(file, `layer ${layer}: key '${key}' named by the arch is missing from the state dict`);
    const value = toFloat32(t, key, file);
    if (!sameShape(value.shape, expected) && !(value.shape.length !== expected.length && sameCount(value.shape, expected))) {
      throw new ModelError(file, `layer ${layer}: '${key}' has shape ${formatShape(value.shape)}, expected ${formatShape(expected)}`);
    }
    return { shape: [...expected], data: value.data };
  };
  const weightOf = (key: string, layer: string, rank: number): Tensor => {
    const t = stateDict.get(key);
    if (!t) throw new ModelError(file, `layer ${layer}: key '${key}' named by the arch is missing from the state dict`);
    if (t.shape.length !== rank) {
      throw new ModelError(file, `layer ${layer}: '${key}' has shape ${formatShape(t.shape)}, expected a ${rank}-D weight`);
    }
    return toFloat32(t, key, file);
  };

  const nodes: ModelNode[] = [];
  let channels = arch.input.shape[0] ?? 1;
  const used = new Set<string>();
  const uniqueName = (base: string): string => {
    let name = base;
    for (let i = 2; used.has(name); i += 1) name = `${base}#${i}`;
    used.add(name);
    return name;
  };

  arch.layers.forEach((layer, index) => {
    const node = buildNode(layer, index);
    nodes.push(node);
  });

  function buildNode(layer: ArchLayer, index: number): ModelNode {
    switch (layer.op) {
      case 'conv2d': {
        const name = uniqueName(stripSuffix(layer.weight, '.weight'));
        const weight = weightOf(layer.weight, name, 4);
        const outChannels = weight.shape[0]!;
        channels = outChannels;
        return {
          kind: 'conv2d',
          name,
          weight,
          bias: layer.bias === null ? null : take(layer.bias, name, [outChannels]),
          stride: pair(layer.stride),
          padding: pair(layer.padding),
        };
      }
      case 'linear': {
        const name = uniqueName(stripSuffix(layer.weight, '.weight'));
        const weight = weightOf(layer.weight, name, 2);
        channels = weight.shape[0]!;
        return { kind: 'linear', name, weight, bias: layer.bias === null ? null : take(layer.bias, name, [channels]) };
      }
      case 'norm': {
        const name = uniqueName(layer.prefix);
        const keys = layer.kind === 'osr' ? ['gamma', 'beta', 'run_mean', 'run_var'] : ['weight', 'bias', 'running_mean', 'running_var'];
        const [gamma, beta, mean, variance] = keys.map((k) => take(`${layer.prefix}.${k}`, name, [channels])) as [Tensor, Tensor, Tensor, Tensor];
        if (variance.data.some((v) => v + layer.eps <= 0)) {
          throw new ModelError(file, `layer ${name}: running variance + eps is not positive`);
        }
        return { kind: 'norm', name, variant: layer.kind, gamma, beta, mean, variance, eps: layer.eps };
      }
      case 'lif':
        return {
          kind: 'lif',
          name: uniqueName(layer.prefix ?? `lif${index}`),
          prefix: layer.prefix,
          decay: seedDecay(arch, arch.neuron.decay),
          threshold: arch.neuron.ots
            ? { kind: 'ots', initial: Math.fround(arch.neuron.threshold), frozen: null }
            : { kind: 'fixed', value: Math.fround(arch.neuron.threshold) },
          reset: arch.neuron.reset,
        };
      case 'avgpool2d':
      case 'maxpool2d':
        return { kind: layer.op, name: uniqueName(`${layer.op.replace('2d', '')}${index}`), kernel: layer.kernel, stride: layer.stride ?? layer.kernel };
      case 'adaptiveavgpool2d':
        return { kind: 'adaptiveavgpool2d', name: uniqueName(`adaptiveavgpool${index}`), output: pair(layer.output) };
      case 'flatten':
        return { kind: 'flatten', name: uniqueName(`flatten${index}`) };
      case 'dropout':
        return { kind: 'dropout', name: uniqueName(`dropout${index}`), p: layer.p ?? 0 };
      case 'add':
        return { kind: 'add', name: uniqueName(`add${index}`), from: layer.from };
    }
  }

  const model: Model = {
    name: arch.name,
    source: arch.source,
    timesteps: arch.timesteps,
    input: { shape: [...arch.input.shape], scale: arch.input.scale, encoding: 'direct' },
    nodes,
    output: 'mean-over-time',
  };
  try {
    inferShapes(model);
  } catch (err) {
    if (err instanceof ModelError) throw new ModelError(file, err.message);
    throw err;
  }
  return model;
}

function sameCount(a: readonly number[], b: readonly number[]): boolean {
  // OSR stores per-channel vectors as [1, C, 1, 1] in some versions of the seed code.
  const count = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  return count(a) === count(b) && a.filter((d) => d !== 1).length <= 1;
}

function pair(v: number | readonly [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function stripSuffix(s: string, suffix: string): string {
  return s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
}
