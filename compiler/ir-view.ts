import type { Layer } from '../chips/ir/chip-program.js';
import type { CoreSlice } from './stages.js';
import type { LayerView } from './usage.js';
import type { Core } from '../chips/ir/chip-program.js';

/** A layer read back from the IR, in the shape the usage accounting reads. */
export function layerView(layer: Layer): LayerView {
  const branches = (layer.branches ?? []).map((b) => ({ ...connectionView(b.connection, b.sourceShape), delay: b.delay }));
  return { ...connectionView(layer.connection, layer.sourceShape), shape: shape3(layer.shape), ...(branches.length ? { branches } : {}) };
}

function shape3(s: readonly number[]): [number, number, number] {
  return [s[0] ?? 1, s[1] ?? 1, s[2] ?? 1];
}

function connectionView(c: Layer['connection'], sourceShape: readonly number[]): Omit<LayerView, 'shape' | 'branches'> {
  const p = c.pooling;
  return {
    sourceShape: shape3(sourceShape),
    pooling: p ? { kernel: [p.kernelH, p.kernelW], stride: [p.strideH, p.strideW], adaptive: p.adaptive, pooledShape: shape3(p.pooledShape) } : null,
    geometry: c.conv
      ? {
          kind: 'conv',
          inChannels: c.conv.inChannels,
          outChannels: c.conv.outChannels,
          kernel: [c.conv.kernelH, c.conv.kernelW],
          stride: [c.conv.strideH, c.conv.strideW],
          padding: [c.conv.padH, c.conv.padW],
        }
      : { kind: 'dense', inFeatures: c.dense?.inFeatures ?? 0, outFeatures: c.dense?.outFeatures ?? 0 },
    weights: c.conv?.weights ?? c.dense?.weights ?? new Int32Array(0),
    weightBits: c.weightBits,
  };
}

export function coreSlice(core: Core): CoreSlice {
  return {
    layer: core.layer,
    role: core.role === 'CORE_PARTIAL' ? 'partial' : 'soma',
    annMode: core.annMode,
    channels: [core.channels.begin, core.channels.end],
    rows: [core.rows.begin, core.rows.end],
    cols: [core.cols.begin, core.cols.end],
    fanIn: [core.fanIn.begin, core.fanIn.end],
  };
}
