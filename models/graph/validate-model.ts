import { ModelError } from '../errors.js';
import { assertNever, type Model, type ModelNode, type NeuronDynamics, type Threshold } from './model.js';
import { MODEL_LIMITS } from './model-limits.js';
import { inferShapes } from './shapes.js';
import { elementCount, formatShape, type Tensor } from './tensor.js';

/**
 * The one check of a Model that every door runs (the `.pth` + arch path, the `.snnmodel` reader, NIR import), so
 * what one refuses cannot get in through another: every number finite, every parameter in its range (decays in
 * [0, 1], eps, scale and LIF thresholds positive, dropout below 1), every size within MODEL_LIMITS, every tensor
 * the size its shape says, and the wiring and shapes consistent (inferShapes). Errors name `file`, the layer, the
 * field, the value and the limit.
 */
export function validateModel(model: Model, file: string): void {
  const fail = (where: string, detail: string): never => {
    throw new ModelError(file, `${where}: ${detail}`);
  };
  const within = (where: string, value: number, min: number, max: number, what = 'an integer'): void => {
    if (!Number.isInteger(value) || value < min || value > max) fail(where, `${value} is not ${what} in ${min}..${max}`);
  };
  within('timesteps', model.timesteps, 1, MODEL_LIMITS.timesteps);
  within('number of layers', model.nodes.length, 1, MODEL_LIMITS.nodes);
  const input = model.input;
  if (input.shape.length === 0 || input.shape.length > 3) fail('input.shape', `${formatShape(input.shape)} is not a [C, H, W], [C, L] or [N] shape`);
  input.shape.forEach((extent, d) => within(`input.shape[${d}]`, extent, 1, MODEL_LIMITS.layerValues));
  within('input.shape (values per sample)', elementCount(input.shape), 1, MODEL_LIMITS.layerValues);
  if (!(Number.isFinite(input.scale) && input.scale > 0)) fail('input.scale', `${input.scale} is not a positive finite number`);

  for (const node of model.nodes) checkNode(node, model.timesteps, `layer ${node.name} (${node.kind})`, fail, within);

  let shapes;
  try {
    shapes = inferShapes(model);
  } catch (err) {
    if (err instanceof ModelError) throw new ModelError(file, err.message);
    throw err;
  }
  for (const { node, outputShape } of shapes) {
    within(`layer ${node.name} (${node.kind}) output ${formatShape(outputShape)} (values per sample)`, elementCount(outputShape), 1, MODEL_LIMITS.layerValues);
  }
}

type Fail = (where: string, detail: string) => never;
type Within = (where: string, value: number, min: number, max: number, what?: string) => void;

function checkNode(node: ModelNode, timesteps: number, where: string, fail: Fail, within: Within): void {
  const finite = (field: string, value: number): void => {
    if (!Number.isFinite(value)) fail(where, `${field} is ${value}; it must be a finite number`);
  };
  const unit = (field: string, value: number): void => {
    if (!(value >= 0 && value <= 1)) fail(where, `${field} ${value} is outside [0, 1]`);
  };
  const positive = (field: string, value: number): void => {
    if (!(Number.isFinite(value) && value > 0)) fail(where, `${field} ${value} is not a positive finite number`);
  };
  const tensor = (field: string, t: Tensor, rank?: number): void => checkTensor(t, `${where} ${field}`, fail, within, rank);
  const window = (field: string, value: number, min: number): void => within(`${where} ${field}`, value, min, MODEL_LIMITS.window);
  const dynamics = (d: NeuronDynamics): void => {
    unit('dynamics.decay', d.decay);
    finite('dynamics.inputScale', d.inputScale);
    finite('dynamics.leak', d.leak);
    if (d.current) {
      unit('dynamics.current.decay', d.current.decay);
      finite('dynamics.current.scale', d.current.scale);
    }
  };
  const bias = (b: Tensor | null, outputs: number): void => {
    if (!b) return;
    tensor('bias', b);
    if (b.data.length !== outputs) fail(where, `bias has ${b.data.length} values, the layer has ${outputs} outputs`);
  };

  switch (node.kind) {
    case 'conv2d':
      tensor('weight', node.weight, 4);
      bias(node.bias, node.weight.shape[0]!);
      node.weight.shape.slice(2).forEach((k, d) => window(`kernel[${d}]`, k, 1));
      node.stride.forEach((s, d) => window(`stride[${d}]`, s, 1));
      node.padding.forEach((p, d) => window(`padding[${d}]`, p, 0));
      return;
    case 'conv1d':
      tensor('weight', node.weight, 3);
      bias(node.bias, node.weight.shape[0]!);
      window('kernel', node.weight.shape[2]!, 1);
      window('stride', node.stride, 1);
      window('padding', node.padding, 0);
      return;
    case 'linear':
      tensor('weight', node.weight, 2);
      bias(node.bias, node.weight.shape[0]!);
      return;
    case 'norm': {
      positive('eps', node.eps);
      const channels = node.gamma.data.length;
      for (const [field, t] of [
        ['gamma', node.gamma],
        ['beta', node.beta],
        ['mean', node.mean],
        ['variance', node.variance],
      ] as const) {
        tensor(field, t);
        if (t.data.length !== channels) fail(where, `${field} has ${t.data.length} values, gamma has ${channels}`);
      }
      const bad = node.variance.data.findIndex((v) => !(v + node.eps > 0));
      if (bad >= 0) fail(where, `variance + eps is ${node.variance.data[bad]! + node.eps} at channel ${bad}; it must be positive`);
      return;
    }
    case 'lif':
      unit('decay', node.decay);
      checkThreshold(node.threshold, timesteps, where, fail);
      return;
    case 'avgpool2d':
    case 'maxpool2d':
      window('kernel', node.kernel, 1);
      window('stride', node.stride, 1);
      if (node.padding !== undefined) window('padding', node.padding, 0);
      return;
    case 'sumpool2d':
      window('kernel', node.kernel, 1);
      window('stride', node.stride, 1);
      return;
    case 'adaptiveavgpool2d':
      node.output.forEach((side, d) => window(`output[${d}]`, side, 1));
      return;
    case 'dropout':
      if (!(node.p >= 0 && node.p < 1)) fail(where, `p ${node.p} is outside [0, 1)`);
      return;
    case 'scale':
      tensor('factor', node.factor);
      return;
    case 'heaviside':
      tensor('threshold', node.threshold);
      return;
    case 'spiking-neuron':
      dynamics(node.dynamics);
      finite('threshold', node.threshold);
      if (node.recurrent) {
        tensor('recurrent.weight', node.recurrent.weight, 2);
        bias(node.recurrent.bias, node.recurrent.weight.shape[0]!);
      }
      return;
    case 'leaky-integrator':
      dynamics(node.dynamics);
      return;
    case 'flatten':
    case 'add':
      return;
    default:
      return assertNever(node);
  }
}

function checkThreshold(threshold: Threshold, timesteps: number, where: string, fail: Fail): void {
  if (threshold.kind === 'fixed') {
    if (!(Number.isFinite(threshold.value) && threshold.value > 0)) fail(where, `threshold ${threshold.value} is not a positive finite number`);
    return;
  }
  if (!(Number.isFinite(threshold.initial) && threshold.initial > 0)) fail(where, `OTS initial threshold ${threshold.initial} is not a positive finite number`);
  const frozen = threshold.frozen;
  if (frozen === null) return;
  if (frozen.length !== timesteps) fail(where, `the frozen threshold table has ${frozen.length} steps, the model runs ${timesteps}`);
  const bad = frozen.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(where, `frozen threshold at step ${bad + 1} is ${frozen[bad]}; it must be finite`);
}

function checkTensor(t: Tensor, where: string, fail: Fail, within: Within, rank?: number): void {
  if (rank !== undefined && t.shape.length !== rank) fail(where, `has shape ${formatShape(t.shape)}, expected ${rank} dimensions`);
  t.shape.forEach((extent, d) => within(`${where} shape[${d}]`, extent, 1, Number.MAX_SAFE_INTEGER));
  if (elementCount(t.shape) !== t.data.length) fail(where, `has shape ${formatShape(t.shape)} but ${t.data.length} values`);
  for (let i = 0; i < t.data.length; i += 1) {
    if (!Number.isFinite(t.data[i]!)) fail(where, `holds ${t.data[i]} at flat index ${i}; weights must be finite`);
  }
}
