import type { LearningEngine } from '../spec/chip-spec.js';
import type { RuleLimits } from './rule.js';

/** The limits a chip's learning engine puts on a rule's form. */
export function ruleLimits(engine: LearningEngine): RuleLimits {
  return {
    traces: engine.traces,
    scaleMantissaBits: engine.scaleMantissaBits,
    scaleExponentMin: engine.scaleExponentMin,
    scaleExponentMax: engine.scaleExponentMax,
    constantBits: engine.constantBits,
    tagBits: engine.tagBits,
  };
}
