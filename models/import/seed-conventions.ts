import type { ArchSpec } from '../arch/arch-spec.js';

/**
 * Float32 value of the LIF decay as the seed code computes it.
 * Paper B (rate-based backprop) parametrises the decay as sigmoid(w) with w = log(d/(1-d)); PyTorch's float32
 * sigmoid of log(0.2/0.8) gives 0x3E4CCCCC (0.19999998807907104), not fround(0.2) = 0x3E4CCCCD, and spike
 * counts near threshold depend on that last bit.
 * Reference: shared/fixtures/README.md ("Float32 details"), Tab-ct/rate-based-backpropagation model/layer.py.
 */
const RATE_BP_FLOAT32_DECAY = new Map<number, number>([[0.2, 0.19999998807907104]]);

export function seedDecay(arch: Pick<ArchSpec, 'source'>, decay: number): number {
  if (arch.source === 'rate-bp') return RATE_BP_FLOAT32_DECAY.get(decay) ?? Math.fround(decay);
  return Math.fround(decay);
}
