import type { ChipSpec, CoreLimits } from '../../chips/spec/chip-spec.js';
import type { Model, ModelNode, ResetMode, Threshold } from '../../models/graph/model.js';

/**
 * Builders for the compiler tests: small synthetic models with seeded pseudo-random weights, and chip specs
 * derived from a builtin with other per-core limits. Nothing here reads a file.
 */

/** A tiny linear congruential generator (Numerical Recipes constants): the same seed gives the same numbers. */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `n` values uniform in [-scale, scale) from `next`. */
export function randomData(next: () => number, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 2 - 1) * scale;
  return out;
}

export interface SyntheticModelOptions {
  readonly name?: string;
  readonly seed?: number;
  readonly timesteps?: number;
  /** Input sample [C, H, W]. */
  readonly input?: readonly [number, number, number];
  readonly conv1Channels?: number;
  readonly conv1Kernel?: number;
  readonly conv1Stride?: number;
  readonly conv1Padding?: number;
  /** Average pooling between the two conv layers (kernel = stride); 1 for none. */
  readonly pool?: number;
  readonly conv2Channels?: number;
  readonly conv2Kernel?: number;
  readonly conv2Stride?: number;
  readonly conv2Padding?: number;
  /** Average pooling before the flatten (kernel = stride); 1 for none. */
  readonly pool2?: number;
  readonly outputs?: number;
  /** Largest |weight|. */
  readonly weightScale?: number;
  /** Largest |bias|. */
  readonly biasScale?: number;
  /** A norm node (OSR) after every conv/linear. */
  readonly norm?: boolean;
  readonly decay?: number;
  readonly reset?: ResetMode;
  readonly threshold?: Threshold;
  readonly source?: Model['source'];
}

/** conv -> lif -> avgpool -> conv -> lif -> (avgpool) -> flatten -> linear, with seeded weights. */
export function syntheticModel(o: SyntheticModelOptions = {}): Model {
  const next = lcg(o.seed ?? 1);
  const [cin, h, w] = o.input ?? [1, 8, 8];
  const c1 = o.conv1Channels ?? 4;
  const k1 = o.conv1Kernel ?? 3;
  const s1 = o.conv1Stride ?? 1;
  const p1 = o.conv1Padding ?? 1;
  const pool = o.pool ?? 2;
  const c2 = o.conv2Channels ?? 4;
  const k2 = o.conv2Kernel ?? 3;
  const s2 = o.conv2Stride ?? 1;
  const p2 = o.conv2Padding ?? 1;
  const pool2 = o.pool2 ?? 1;
  const outputs = o.outputs ?? 3;
  const ws = o.weightScale ?? 0.5;
  const bs = o.biasScale ?? 0.1;
  const threshold: Threshold = o.threshold ?? { kind: 'fixed', value: 1 };
  const lif = (name: string): ModelNode => ({ kind: 'lif', name, prefix: null, decay: o.decay ?? 0.5, threshold, reset: o.reset ?? 'subtract' });
  const norm = (name: string, channels: number): ModelNode[] =>
    o.norm
      ? [
          {
            kind: 'norm',
            name,
            variant: 'osr',
            gamma: { shape: [channels], data: Float32Array.from(randomData(next, channels, 0.5), (v) => 1 + v) },
            beta: { shape: [channels], data: randomData(next, channels, 0.1) },
            mean: { shape: [channels], data: randomData(next, channels, 0.1) },
            variance: { shape: [channels], data: Float32Array.from(randomData(next, channels, 0.5), (v) => 1 + v) },
            eps: 1e-4,
          },
        ]
      : [];
  const conv = (name: string, cout: number, cinn: number, k: number, stride: number, pad: number): ModelNode => ({
    kind: 'conv2d',
    name,
    weight: { shape: [cout, cinn, k, k], data: randomData(next, cout * cinn * k * k, ws) },
    bias: { shape: [cout], data: randomData(next, cout, bs) },
    stride: [stride, stride],
    padding: [pad, pad],
  });
  const out = (size: number, k: number, stride: number, pad: number) => Math.floor((size + 2 * pad - k) / stride) + 1;
  const h1 = out(h, k1, s1, p1);
  const w1 = out(w, k1, s1, p1);
  const hp = Math.floor(h1 / pool);
  const wp = Math.floor(w1 / pool);
  const h2 = Math.floor(out(hp, k2, s2, p2) / pool2);
  const w2 = Math.floor(out(wp, k2, s2, p2) / pool2);
  const features = c2 * h2 * w2;
  const nodes: ModelNode[] = [
    conv('conv1', c1, cin, k1, s1, p1),
    ...norm('norm1', c1),
    lif('lif1'),
    ...(pool > 1 ? [{ kind: 'avgpool2d', name: 'pool1', kernel: pool, stride: pool } as const] : []),
    conv('conv2', c2, c1, k2, s2, p2),
    ...norm('norm2', c2),
    lif('lif2'),
    ...(pool2 > 1 ? [{ kind: 'avgpool2d', name: 'pool2', kernel: pool2, stride: pool2 } as const] : []),
    { kind: 'flatten', name: 'flatten' },
    {
      kind: 'linear',
      name: 'fc',
      weight: { shape: [outputs, features], data: randomData(next, outputs * features, ws) },
      bias: { shape: [outputs], data: randomData(next, outputs, bs) },
    },
  ];
  return {
    name: o.name ?? 'synthetic',
    source: o.source ?? (threshold.kind === 'ots' ? 'osr-ots' : 'rate-bp'),
    timesteps: o.timesteps ?? 4,
    input: { shape: [cin, h, w], scale: 1 / 255, encoding: 'direct' },
    nodes,
    output: 'mean-over-time',
  };
}

/** A dense-only model: flatten -> linear -> lif -> linear, for layers whose fan-in is a feature range. */
export function denseModel(o: { seed?: number; input?: readonly [number, number, number]; hidden?: number; outputs?: number; weightScale?: number } = {}): Model {
  const next = lcg(o.seed ?? 7);
  const [c, h, w] = o.input ?? [1, 4, 4];
  const features = c * h * w;
  const hidden = o.hidden ?? 8;
  const outputs = o.outputs ?? 3;
  const ws = o.weightScale ?? 0.5;
  return {
    name: 'dense',
    source: 'rate-bp',
    timesteps: 4,
    input: { shape: [c, h, w], scale: 1 / 255, encoding: 'direct' },
    nodes: [
      { kind: 'flatten', name: 'flatten' },
      {
        kind: 'linear',
        name: 'fc1',
        weight: { shape: [hidden, features], data: randomData(next, hidden * features, ws) },
        bias: { shape: [hidden], data: randomData(next, hidden, 0.1) },
      },
      { kind: 'lif', name: 'lif1', prefix: null, decay: 0.5, threshold: { kind: 'fixed', value: 1 }, reset: 'subtract' },
      {
        kind: 'linear',
        name: 'fc2',
        weight: { shape: [outputs, hidden], data: randomData(next, outputs * hidden, ws) },
        bias: { shape: [outputs], data: randomData(next, outputs, 0.1) },
      },
    ],
    output: 'mean-over-time',
  };
}

/** Per-core limits to override; `synapseBits` sets the grouped memory's total bits, or the SRAM of a crossbar core. */
export interface CoreOverrides extends Partial<Omit<CoreLimits, 'synapseMemory'>> {
  readonly synapseBits?: number;
}

/** A spec derived from a builtin, with a new name and some per-core limits replaced (the builtin stays untouched). */
export function withCoreLimits(base: ChipSpec, overrides: CoreOverrides, name = `${base.name}-custom`): ChipSpec {
  const { synapseBits, ...limits } = overrides;
  const memory = base.core.synapseMemory;
  const core: CoreLimits = {
    ...base.core,
    ...limits,
    ...(synapseBits !== undefined ? (memory.kind === 'grouped-words' ? { synapseMemory: { ...memory, totalBits: synapseBits } } : { sramBytes: synapseBits / 8 }) : {}),
  };
  return { ...base, name, core };
}

/** A spec derived from a builtin with any other top-level part replaced. */
export function withSpec(base: ChipSpec, patch: Partial<ChipSpec>, name = `${base.name}-custom`): ChipSpec {
  return { ...base, ...patch, name };
}
