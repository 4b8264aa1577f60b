import type { Connection, InputMap, Layer } from '../../chips/ir/chip-program.js';
import type { QuantizedLayer, QuantizedNetwork } from '../stages.js';

export interface LoweredNetwork {
  readonly network: QuantizedNetwork;
  readonly layers: readonly Layer[];
  readonly input: InputMap;
}

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
    valueScale: network.input.scale,
    hostWeights: first.host ? Float32Array.from(first.host.weight) : new Float32Array(0),
    hostBias: first.host ? Float32Array.from(first.host.bias) : new Float32Array(0),
  };
  return { network, layers: network.layers.map(lowerLayer), input };
}

function lowerLayer(layer: QuantizedLayer): Layer {
  const g = layer.geometry;
  const connection: Connection = {
    weightExponent: layer.weightExponent,
    weightBits: layer.weightBits,
    ...(layer.pooling
      ? {
          pooling: {
            kernelH: layer.pooling.kernel[0],
            kernelW: layer.pooling.kernel[1],
            strideH: layer.pooling.stride[0],
            strideW: layer.pooling.stride[1],
            pooledShape: [...layer.pooling.pooledShape],
            adaptive: layer.pooling.adaptive,
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
            weights: layer.weights,
          },
        }
      : { dense: { inFeatures: g.inFeatures, outFeatures: g.outFeatures, weights: layer.weights } }),
  };
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
    quantization: { ...layer.error, thresholdPolicy: layer.error.thresholdPolicy },
  };
}
