import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ArchSpec } from '../arch/arch-spec.js';
import { ModelError } from '../errors.js';
import { topologicalOrder } from '../graph/graph.js';
import { MODEL_INPUT, type Model } from '../graph/model.js';
import { buildModel } from '../import/build-model.js';
import { readStateDict, type PthTensor } from '../pth/read-pth.js';
import { SeededRandom } from './random.js';

/** Shapes an arch file leaves to its checkpoint: per state-dict key. */
export type ParameterShapes = ReadonlyMap<string, readonly number[]>;

/**
 * The tensor shapes of an architecture to train from scratch. An `snn-arch/1` file names state-dict keys but not
 * their sizes, so they come from optional fields of its layers (`outChannels` and `kernel` on conv2d, `outFeatures`
 * on linear), else from the `checkpoint.pth` beside the arch file (shapes only, its values are not used); the last
 * linear layer defaults to `classes` outputs.
 */
export function parameterShapes(arch: ArchSpec, archPath: string, classes: number): ParameterShapes {
  const raw = (JSON.parse(readFileSync(archPath, 'utf8')) as { layers: Record<string, unknown>[] }).layers;
  const sibling = join(dirname(archPath), 'checkpoint.pth');
  let checkpoint: Map<string, PthTensor> | null = null;
  const fromCheckpoint = (key: string, layer: number, what: string): readonly number[] => {
    if (!checkpoint && existsSync(sibling)) checkpoint = readStateDict(readFileSync(sibling), sibling, arch.stateDictKey ?? undefined);
    const t = checkpoint?.get(key);
    if (!t) {
      throw new ModelError(archPath, `$.layers[${layer}] needs ${what} to train from scratch (no ${sibling} holds '${key}')`);
    }
    return t.shape;
  };
  const shapes = new Map<string, readonly number[]>();
  const lastLinear = arch.layers.map((l) => l.op).lastIndexOf('linear');
  // The layers in the order they compute (an snn-arch/2 file may list a shortcut after the layer that adds it),
  // each starting from the sizes of the layer it reads.
  const ids = arch.layers.map((layer, i) => layer.id ?? String(i));
  const operands = arch.layers.map((layer, i): string[] => {
    const previous = i === 0 ? MODEL_INPUT : ids[i - 1]!;
    return layer.op === 'add' ? [layer.inputs[0] ?? previous, layer.inputs[1]] : [layer.input ?? previous];
  });
  const order = topologicalOrder(
    ids.map((id, i) => ({ id, inputs: operands[i]! })),
    archPath,
  );
  const sizes = new Map<string, { channels: number; features: number; spatial: number[] }>([
    [MODEL_INPUT, { channels: arch.input.shape[0] ?? 1, features: arch.input.shape.reduce((a, b) => a * b, 1), spatial: arch.input.shape.slice(1) }],
  ]);
  for (const i of order) {
    const layer = arch.layers[i]!;
    const fields = raw[i] ?? {};
    let { channels, features, spatial } = sizes.get(operands[i]![0]!)!;
    switch (layer.op) {
      case 'conv2d': {
        const out = fields.outChannels,
          k = fields.kernel;
        const shape = typeof out === 'number' && typeof k === 'number' ? [out, channels, k, k] : fromCheckpoint(layer.weight, i, 'outChannels and kernel');
        shapes.set(layer.weight, shape);
        if (layer.bias) shapes.set(layer.bias, [shape[0]!]);
        const [ph, pw] = typeof layer.padding === 'number' ? [layer.padding, layer.padding] : layer.padding;
        const [sh, sw] = typeof layer.stride === 'number' ? [layer.stride, layer.stride] : layer.stride;
        spatial = [Math.floor((spatial[0]! + 2 * ph - shape[2]!) / sh) + 1, Math.floor((spatial[1]! + 2 * pw - shape[3]!) / sw) + 1];
        channels = shape[0]!;
        features = channels * spatial[0]! * spatial[1]!;
        break;
      }
      case 'linear': {
        const out = fields.outFeatures;
        const shape = typeof out === 'number' ? [out, features] : i === lastLinear && !existsSync(sibling) ? [classes, features] : fromCheckpoint(layer.weight, i, 'outFeatures');
        shapes.set(layer.weight, shape);
        if (layer.bias) shapes.set(layer.bias, [shape[0]!]);
        channels = shape[0]!;
        features = channels;
        break;
      }
      case 'avgpool2d':
      case 'maxpool2d': {
        const s = layer.stride ?? layer.kernel;
        const p = layer.padding ?? 0;
        spatial = [Math.floor((spatial[0]! + 2 * p - layer.kernel) / s) + 1, Math.floor((spatial[1]! + 2 * p - layer.kernel) / s) + 1];
        features = channels * spatial[0]! * spatial[1]!;
        break;
      }
      case 'norm': {
        const keys = layer.kind === 'osr' ? ['gamma', 'beta', 'run_mean', 'run_var'] : ['weight', 'bias', 'running_mean', 'running_var'];
        for (const k of keys) shapes.set(`${layer.prefix}.${k}`, [channels]);
        break;
      }
      case 'flatten':
        channels = features;
        break;
      default:
        break;
    }
    sizes.set(ids[i]!, { channels, features, spatial });
  }
  return shapes;
}

/**
 * How fresh weights are drawn:
 * - `seed-vgg`: paper A's OnlineSpikingVGG._initialize_weights: conv weights normal with std sqrt(2/fan_out)
 *   (kaiming_normal, fan_out, relu), linear weights normal with std 0.01, biases 0.
 *   Reference: zhuyaoyu/SNN-online-normalization models/spiking_vgg.py.
 * - `ratebp-vgg`: paper B's VGG._initialize_weights: conv and linear weights normal with std 0.5 (whatever the
 *   fan-in), biases 0. Reference: Tab-ct/rate-based-backpropagation model/vgg.py; the ratebp-fmnist-conv
 *   checkpoint (its `feature.*`/`classifier.*` names are that class's) bears it out: conv biases exactly 0 (a conv
 *   bias before BatchNorm gets no gradient) and weight RMS 0.44-0.52 after one epoch.
 * - `torch-default`: PyTorch's own reset_parameters: weights and biases uniform in +-1/sqrt(fan_in)
 *   (kaiming_uniform with a = sqrt(5)). Reference: torch.nn.Conv2d / nn.Linear.
 * Norm layers start at gamma 1, beta 0, running mean 0, running variance 1 in all.
 */
export type WeightInit = 'seed-vgg' | 'ratebp-vgg' | 'torch-default';

/** Standard deviation of paper B's normal weight init. Reference: Tab-ct/rate-based-backpropagation model/vgg.py. */
export const RATEBP_WEIGHT_STD = 0.5;

/** A freshly initialised model for `arch`, drawn from `seed`. */
export function initialModel(arch: ArchSpec, shapes: ParameterShapes, seed: number, file: string, init: WeightInit): Model {
  const random = new SeededRandom(seed);
  const stateDict = new Map<string, PthTensor>();
  const put = (key: string, shape: readonly number[], fill: (i: number) => number) => {
    const values = new Float64Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = Math.fround(fill(i));
    stateDict.set(key, { dtype: 'float32', shape: [...shape], values });
  };
  for (const layer of arch.layers) {
    if (layer.op === 'conv2d' || layer.op === 'linear') {
      const shape = shapes.get(layer.weight)!;
      const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
      if (init === 'torch-default') {
        const bound = 1 / Math.sqrt(fanIn);
        put(layer.weight, shape, () => random.uniform(-bound, bound));
        if (layer.bias) put(layer.bias, [shape[0]!], () => random.uniform(-bound, bound));
      } else if (init === 'ratebp-vgg') {
        put(layer.weight, shape, () => RATEBP_WEIGHT_STD * random.normal());
        if (layer.bias) put(layer.bias, [shape[0]!], () => 0);
      } else {
        const fanOut = shape[0]! * shape.slice(2).reduce((a, b) => a * b, 1);
        const std = layer.op === 'conv2d' ? Math.sqrt(2 / fanOut) : 0.01;
        put(layer.weight, shape, () => std * random.normal());
        if (layer.bias) put(layer.bias, [shape[0]!], () => 0);
      }
    } else if (layer.op === 'norm') {
      const c = shapes.get(`${layer.prefix}.${layer.kind === 'osr' ? 'gamma' : 'weight'}`)!;
      const keys = layer.kind === 'osr' ? ['gamma', 'beta', 'run_mean', 'run_var'] : ['weight', 'bias', 'running_mean', 'running_var'];
      const fills = [1, 0, 0, 1];
      keys.forEach((k, j) => put(`${layer.prefix}.${k}`, c, () => fills[j]!));
    }
  }
  return buildModel(arch, stateDict, file);
}
