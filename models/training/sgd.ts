import type { ParamSlot } from './network.js';

export interface SgdOptions {
  readonly momentum: number;
  readonly weightDecay: number;
  /** Which parameters weight decay applies to: all (paper A's code) or conv/linear weights only (paper B's). */
  readonly decay: 'all' | 'weights';
}

/**
 * PyTorch's SGD: d = grad + wd * p; buf = momentum * buf + d (buf = d at the first step); p -= lr * buf.
 * Reference: torch.optim.SGD (dampening 0, no Nesterov).
 */
export class Sgd {
  private readonly buffer: Float64Array;
  private readonly decayMask: Uint8Array;
  private steps = 0;

  constructor(
    private readonly params: Float32Array,
    slots: readonly ParamSlot[],
    private readonly options: SgdOptions,
  ) {
    this.buffer = new Float64Array(params.length);
    this.decayMask = new Uint8Array(params.length);
    for (const s of slots) if (options.decay === 'all' || s.isWeight) this.decayMask.fill(1, s.offset, s.offset + s.length);
  }

  step(grad: Float64Array, lr: number): void {
    const { momentum, weightDecay } = this.options;
    const p = this.params;
    const buf = this.buffer;
    const first = this.steps === 0;
    for (let i = 0; i < p.length; i++) {
      const d = grad[i]! + (this.decayMask[i] ? weightDecay * p[i]! : 0);
      const b = first ? d : momentum * buf[i]! + d;
      buf[i] = b;
      p[i] = p[i]! - lr * b;
    }
    this.steps++;
  }
}

/** Cosine annealing per optimizer step to 0: lr_k = lr * (1 + cos(pi * k / K)) / 2 for k = 0 .. K-1. */
export function cosineLearningRate(base: number, step: number, totalSteps: number): number {
  return (base * (1 + Math.cos((Math.PI * step) / totalSteps))) / 2;
}
