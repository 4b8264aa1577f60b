import type { TrainingRule } from './network.js';

/**
 * Cosine annealing to 0 of the learning rate, per optimizer step (what the fixtures' reference.json records), or
 * per epoch as the seed codes' own CosineAnnealingLR(T_max = epochs) is stepped (constant within an epoch).
 */
export type LearningRateSchedule = 'cosine-per-step' | 'cosine-per-epoch';

export interface HyperParameters {
  readonly epochs: number;
  /** Training images taken from the start of the training set (null: all of it). */
  readonly samples: number | null;
  readonly batch: number;
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  /** lambda of paper A's loss (1 - lambda) * CE + lambda * MSE; ignored by the rate rule (cross-entropy). */
  readonly lossLambda: number;
  readonly seed: number;
  readonly schedule: LearningRateSchedule;
}

/**
 * The hyper-parameters the fixtures were trained with, the defaults of `spikechip train`.
 * Reference: test/fixtures/osr-fmnist-conv/reference.json and test/fixtures/ratebp-fmnist-conv/reference.json
 * (`trainedOn`): SGD momentum 0.9, lr 0.1, cosine per step, batch 64; paper A: 2 epochs of 60k, weight decay
 * 5e-4 on all parameters, loss lambda 0.05; paper B: 1 epoch of 30k, weight decay 5e-4 on conv/linear weights.
 */
export const FIXTURE_HYPER_PARAMETERS: Readonly<Record<TrainingRule, HyperParameters>> = {
  osr: { epochs: 2, samples: null, batch: 64, lr: 0.1, momentum: 0.9, weightDecay: 5e-4, lossLambda: 0.05, seed: 0, schedule: 'cosine-per-step' },
  rate: { epochs: 1, samples: 30000, batch: 64, lr: 0.1, momentum: 0.9, weightDecay: 5e-4, lossLambda: 0, seed: 0, schedule: 'cosine-per-step' },
};
