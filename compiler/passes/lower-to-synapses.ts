import type { Connection, InputMap, Layer } from '../../chips/ir/chip-program.js';
import type { QuantizedLayer, QuantizedNetwork } from '../stages.js';
import { realInputFormat, realValuedInput } from './quantize.js';

export interface LoweredNetwork {
  readonly network: QuantizedNetwork;
  readonly layers: readonly Layer[];
  readonly input: InputMap;
}

const THRESHOLD_POLICY = { schedule: 'THRESHOLD_SCHEDULE', mean: 'THRESHOLD_MEAN', constant: 'THRESHOLD_CONSTANT', none: 'THRESHOLD_NONE' } as const;
const PLACEMENT = { graded: 'INPUT_GRADED_SPIKES', 'ann-core': 'INPUT_ANN_CORE', host: 'INPUT_HOST' } as const;

/**
 * lower-to-synapses: every layer becomes chip synapses in the IR's terms: a conv kernel or dense matrix of weight
 * mantissas read over the (pooled) source grid, where a pooling window's source neurons share one synapse list
 * (pooling as synapses), plus the integer neuron parameters. A host-computed first layer keeps its float weights
 * in the input map instead.
 * Reference: DESIGN.md section 4 (lower-to-synapses).
 */
export function lowerToSynapses(network: QuantizedNetwork): LoweredNetwork {
  const first = network.layers[0]!;
  const input: InputMap = {
    shape: [...network.input.shape],
    placement: PLACEMENT[network.placement],
    payloadBits: network.payloadBits,
    // Real-valued input travels in payload steps (quantize.ts); pixels as their 8-bit value.
    valueScale: realValuedInput(network.input) && network.placement !== 'host' ? realInputFormat(network.placement).step : network.input.scale,
    hostWeights: first.host ? Float32Array.from(first.host.weight) : new Float32Array(0),
    hostBias: first.host ? Float32Array.from(first.host.bias) : new Float32Array(0),
  };
  return { network, layers: network.layers.map((layer, index) => lowerLayer(layer, index)), input };
}

function lowerLayer(layer: QuantizedLayer, index: number): Layer {
  const connection = lowerConnection(layer, layer);
  const branches = layer.branches.map((b) => ({ sourceLayer: b.source, sourceShape: [...b.sourceShape], connection: lowerConnection(layer, b), delay: b.delay }));
  const sourceSkip = index === 0 ? 0 : index - 1 - layer.source;
  return {
    name: layer.name,
    kind: layer.kind === 'spiking' ? 'LAYER_SPIKING' : 'LAYER_OUTPUT',
    shape: [...layer.shape],
    sourceShape: [...layer.sourceShape],
    connection,
    neuron: {
      du: layer.du,
      dv: layer.dv,
      thresholdMantissa: [...layer.thresholds],
      reset: layer.reset === 'subtract' ? 'RESET_SUBTRACT' : 'RESET_ZERO',
      biasMantissa: layer.biasMantissa,
      biasExponent: [...layer.biasExponent],
    },
    startStep: layer.startStep,
    scale: layer.scale,
    quantization: { ...layer.error, thresholdPolicy: THRESHOLD_POLICY[layer.error.thresholdPolicy] },
    ...(sourceSkip > 0 ? { sourceSkip } : {}),
    ...(branches.length > 0 ? { branches } : {}),
  };
}

/** The IR connection of a layer's main synapses or of one branch: both use the layer's weight exponent. */
function lowerConnection(layer: QuantizedLayer, set: Pick<QuantizedLayer, 'geometry' | 'pooling' | 'weights'>): Connection {
  const g = set.geometry;
  return {
    weightExponent: layer.weightExponent,
    weightBits: layer.weightBits,
    ...(set.pooling
      ? {
          pooling: {
            kernelH: set.pooling.kernel[0],
            kernelW: set.pooling.kernel[1],
            strideH: set.pooling.stride[0],
            strideW: set.pooling.stride[1],
            pooledShape: [...set.pooling.pooledShape],
            adaptive: set.pooling.adaptive,
          },
        }
      : {}),
    ...(g.kind === 'conv'
      ? {
          conv: {
            inChannels: g.inChannels,
            outChannels: g.outChannels,
            kernelH: g.kernel[0],
            kernelW: g.kernel[1],
            strideH: g.stride[0],
            strideW: g.stride[1],
            padH: g.padding[0],
            padW: g.padding[1],
            weights: set.weights,
          },
        }
      : { dense: { inFeatures: g.inFeatures, outFeatures: g.outFeatures, weights: set.weights } }),
  };
}
