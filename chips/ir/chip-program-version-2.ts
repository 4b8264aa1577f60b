// Reference: chips/ir/chip_program.proto (version 3 made enums of the text fields of versions 1 and 2).
/**
 * What a reader needs to read programs written before IR version 3: which text field each enum replaced and the
 * texts it held (the codec maps them), and what version 3 added that an older program implies.
 */
import { CHIP_FAMILY_TEXT, ERROR_TIMING_TEXT, FEEDBACK_KIND_TEXT, PROBE_VARIABLE_TEXT, SOURCE_KIND_TEXT, THRESHOLD_POLICY_TEXT, learningRuleKindOf } from './ir-enum-text.js';

/** The first version whose closed sets are enums; older programs hold them as text. */
export const FIRST_VERSION_WITH_ENUMS = 3;

export interface TextField {
  /** The enum field (protobufjs's name) that version 3 reads instead. */
  readonly field: string;
  /** Each enum value's text. */
  readonly text: Readonly<Record<string, string>>;
}

/** `Message.textField` (protobufjs's names) -> the enum field that replaced it. */
export const TEXT_FIELDS: Readonly<Record<string, TextField>> = {
  'ChipProgram.chipFamilyText': { field: 'chipFamily', text: CHIP_FAMILY_TEXT },
  'SourceModel.kindText': { field: 'kind', text: SOURCE_KIND_TEXT },
  'QuantizationReport.thresholdPolicyText': { field: 'thresholdPolicy', text: THRESHOLD_POLICY_TEXT },
  'OutputProbe.variableText': { field: 'variable', text: PROBE_VARIABLE_TEXT },
  'LearningLayer.errorTimingText': { field: 'errorTiming', text: ERROR_TIMING_TEXT },
  'LearningLayer.feedbackKindText': { field: 'feedbackKind', text: FEEDBACK_KIND_TEXT },
};

/** Fills in, for a message of an older program already read, what version 3 added: the learning rule's kind. */
export function addVersion3Fields(messageName: string, record: Record<string, unknown>): void {
  if (messageName === 'LearningConfig' && record.ruleKind === 'LEARNING_NONE') record.ruleKind = learningRuleKindOf(String(record.rule));
}
