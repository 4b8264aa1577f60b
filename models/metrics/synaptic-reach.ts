import type { ModelNode } from '../graph/model.js';
import { elementCount } from '../graph/tensor.js';

/**
 * For one connection layer, per input element (of one sample): how many synaptic operations a non-zero value there
 * causes. NeuroBench counts a layer call by running a copy of the layer with binarised weights (w != 0 -> 1, bias
 * zeroed) on the binarised input (x != 0 -> 1) and summing the outputs; that sum is the sum of `effective` over the
 * non-zero inputs. `dense` is the same with all-ones weights and inputs, so taps that fall in the padding count
 * nothing.
 */
export interface SynapticReach {
  readonly effective: Float64Array;
  readonly dense: number;
}

/** The reach of a conv2d, conv1d or linear node between its input and output shapes; null for any other node. */
export function synapticReach(node: ModelNode, inputShape: readonly number[], outputShape: readonly number[]): SynapticReach | null {
  switch (node.kind) {
    case 'linear': {
      const inFeatures = elementCount(inputShape);
      const outFeatures = elementCount(outputShape);
      return linearReach(node.weight.data, outFeatures, inFeatures);
    }
    case 'conv2d': {
      const [cout, cin, kh, kw] = node.weight.shape as [number, number, number, number];
      return convReach(node.weight.data, {
        cout,
        cin,
        kh,
        kw,
        inH: inputShape[1]!,
        inW: inputShape[2]!,
        outH: outputShape[1]!,
        outW: outputShape[2]!,
        strideY: node.stride[0],
        strideX: node.stride[1],
        padY: node.padding[0],
        padX: node.padding[1],
      });
    }
    case 'conv1d': {
      const [cout, cin, k] = node.weight.shape as [number, number, number];
      return convReach(node.weight.data, {
        cout,
        cin,
        kh: 1,
        kw: k,
        inH: 1,
        inW: inputShape[1]!,
        outH: 1,
        outW: outputShape[1]!,
        strideY: 1,
        strideX: node.stride,
        padY: 0,
        padX: node.padding,
      });
    }
    default:
      return null;
  }
}

/** A NIR neuron's recurrent edge, [n, n]: in NeuroBench a Linear inside the neuron, fed the previous step's spikes. */
export function recurrentReach(weight: Float32Array, neurons: number): SynapticReach {
  return linearReach(weight, neurons, neurons);
}

function linearReach(weight: Float32Array, outFeatures: number, inFeatures: number): SynapticReach {
  const effective = new Float64Array(inFeatures);
  for (let o = 0; o < outFeatures; o++) {
    for (let i = 0; i < inFeatures; i++) if (weight[o * inFeatures + i] !== 0) effective[i] = effective[i]! + 1;
  }
  return { effective, dense: inFeatures * outFeatures };
}

interface ConvShape {
  readonly cout: number;
  readonly cin: number;
  readonly kh: number;
  readonly kw: number;
  readonly inH: number;
  readonly inW: number;
  readonly outH: number;
  readonly outW: number;
  readonly strideY: number;
  readonly strideX: number;
  readonly padY: number;
  readonly padX: number;
}

function convReach(weight: Float32Array, s: ConvShape): SynapticReach {
  const { cout, cin, kh, kw } = s;
  // Per (input channel, tap): the output channels whose weight there is non-zero.
  const nonZero = new Float64Array(cin * kh * kw);
  for (let co = 0; co < cout; co++) {
    for (let k = 0; k < cin * kh * kw; k++) if (weight[co * cin * kh * kw + k] !== 0) nonZero[k] = nonZero[k]! + 1;
  }
  const plane = s.inH * s.inW;
  const effective = new Float64Array(cin * plane);
  let dense = 0;
  for (let y = 0; y < s.inH; y++) {
    for (let x = 0; x < s.inW; x++) {
      for (let ky = 0; ky < kh; ky++) {
        const oy = outputIndex(y, ky, s.padY, s.strideY, s.outH);
        if (oy < 0) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ox = outputIndex(x, kx, s.padX, s.strideX, s.outW);
          if (ox < 0) continue;
          dense += cin * cout;
          for (let ci = 0; ci < cin; ci++) {
            const at = ci * plane + y * s.inW + x;
            effective[at] = effective[at]! + nonZero[(ci * kh + ky) * kw + kx]!;
          }
        }
      }
    }
  }
  return { effective, dense };
}

/** The output position that input position `p` reaches through kernel tap `k`, or -1 if none. */
function outputIndex(p: number, k: number, pad: number, stride: number, outSize: number): number {
  const shifted = p + pad - k;
  if (shifted < 0 || shifted % stride !== 0) return -1;
  const o = shifted / stride;
  return o < outSize ? o : -1;
}
