// Reference: chips/ir/chip_program.proto (IR version 3 made enums of version 2's text fields).
/**
 * The text each enum value had in IR versions 1 and 2, where these fields were strings. The same words name the
 * values for humans (the printed program, a chip spec's `family`, a model's `source`), so one table serves the
 * reader of old programs, the printer and the code that maps a spec or model to the IR.
 */
import type { ChipFamily } from '../spec/chip-spec.js';
import type { ChipFamilyValue, ErrorTiming, FeedbackKind, LearningRuleKind, ProbeVariable, SourceKind, ThresholdPolicy } from './chip-program.js';

export const CHIP_FAMILY_TEXT: Readonly<Record<ChipFamilyValue, ChipFamily | ''>> = {
  CHIP_FAMILY_UNSPECIFIED: '',
  CHIP_LOIHI1: 'loihi1',
  CHIP_LOIHI2: 'loihi2',
  CHIP_TIANJIC: 'tianjic',
};

export const SOURCE_KIND_TEXT: Readonly<Record<SourceKind, string>> = {
  SOURCE_KIND_UNSPECIFIED: '',
  SOURCE_OSR_OTS: 'osr-ots',
  SOURCE_RATE_BP: 'rate-bp',
  SOURCE_NIR: 'nir',
  SOURCE_OTHER: 'other',
};

export const THRESHOLD_POLICY_TEXT: Readonly<Record<ThresholdPolicy, string>> = {
  THRESHOLD_NONE: 'none',
  THRESHOLD_SCHEDULE: 'schedule',
  THRESHOLD_MEAN: 'mean',
  THRESHOLD_CONSTANT: 'constant',
};

export const PROBE_VARIABLE_TEXT: Readonly<Record<ProbeVariable, string>> = {
  PROBE_VARIABLE_UNSPECIFIED: '',
  PROBE_VOLTAGE: 'voltage',
  PROBE_SPIKES: 'spikes',
};

/** A preset's name as `--learning` takes it; `written` for rules in Lava's grammar (never a preset's name). */
export const LEARNING_RULE_KIND_TEXT: Readonly<Record<LearningRuleKind, string>> = {
  LEARNING_NONE: '',
  LEARNING_OTTT: 'ottt',
  LEARNING_OTTT_ACCUMULATED: 'ottt-accumulated',
  LEARNING_RATE: 'rate',
  LEARNING_WRITTEN: 'written',
};

export const ERROR_TIMING_TEXT: Readonly<Record<ErrorTiming, string>> = {
  ERROR_TIMING_UNSPECIFIED: '',
  ERROR_PER_STEP: 'step',
  ERROR_PER_EPOCH: 'epoch',
};

export const FEEDBACK_KIND_TEXT: Readonly<Record<FeedbackKind, string>> = {
  FEEDBACK_NONE: '',
  FEEDBACK_TRANSPOSED: 'transposed',
  FEEDBACK_RANDOM: 'random',
};

/** The value whose text is `text`, or undefined. */
export function valueOfText<Value extends string>(table: Readonly<Record<Value, string>>, text: string): Value | undefined {
  return (Object.keys(table) as Value[]).find((value) => table[value] === text);
}

/** The IR's family value of a chip spec's family. */
export function chipFamilyValue(family: ChipFamily): ChipFamilyValue {
  return valueOfText(CHIP_FAMILY_TEXT, family)!;
}

/** The learning rule kind of what `--learning` was given: a preset's name, else written rules. */
export function learningRuleKindOf(rule: string): LearningRuleKind {
  if (rule === '') return 'LEARNING_NONE';
  const preset = valueOfText(LEARNING_RULE_KIND_TEXT, rule);
  return preset === undefined || preset === 'LEARNING_WRITTEN' ? 'LEARNING_WRITTEN' : preset;
}
