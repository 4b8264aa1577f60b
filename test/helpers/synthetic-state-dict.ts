import type { PthTensor } from '../../models/pth/read-pth.js';

/**
 * A state dict of the seed code's tensor names and shapes (zeros), built the way its modules' constructors
 * register them, for presets no fixture covers. Norms: paper A's MySyncBN (gamma, beta, run_mean, run_var) or
 * torch's BatchNorm2d (weight, bias, running_mean, running_var, num_batches_tracked).
 */
export class SyntheticStateDict {
  readonly tensors = new Map<string, PthTensor>();

  private put(key: string, shape: readonly number[]): void {
    if (this.tensors.has(key)) throw new Error(`synthetic state dict: '${key}' twice`);
    this.tensors.set(key, { dtype: 'float32', shape, values: new Float64Array(shape.reduce((a, b) => a * b, 1)) });
  }

  conv(prefix: string, inChannels: number, outChannels: number, kernel: number, bias: boolean): this {
    this.put(`${prefix}.weight`, [outChannels, inChannels, kernel, kernel]);
    if (bias) this.put(`${prefix}.bias`, [outChannels]);
    return this;
  }

  linear(prefix: string, inFeatures: number, outFeatures: number, bias = true): this {
    this.put(`${prefix}.weight`, [outFeatures, inFeatures]);
    if (bias) this.put(`${prefix}.bias`, [outFeatures]);
    return this;
  }

  osr(prefix: string, channels: number): this {
    for (const k of ['gamma', 'beta', 'run_mean', 'run_var']) this.put(`${prefix}.${k}`, [channels]);
    return this;
  }

  batchNorm(prefix: string, channels: number): this {
    for (const k of ['weight', 'bias', 'running_mean', 'running_var']) this.put(`${prefix}.${k}`, [channels]);
    this.put(`${prefix}.num_batches_tracked`, []);
    return this;
  }

  shapes(): Map<string, readonly number[]> {
    return new Map([...this.tensors].map(([k, t]) => [k, t.shape] as const));
  }
}
