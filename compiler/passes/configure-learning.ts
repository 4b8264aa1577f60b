// Reference: DESIGN.md sections 3 and 5 (on-chip learning: rule, epoch, traces, surrogate LUT, error as a third
// factor); chips/ir/chip_program.proto (LearningConfig, LearningLayer).
import type { ChipProgram, LearningLayerConfig } from '../../chips/ir/chip-program.js';
import { learningRuleKindOf } from '../../chips/ir/ir-enum-text.js';
import { parseLearningRule, parseLearningRules } from '../../chips/learning/parse-rule.js';
import { ruleLimits } from '../../chips/learning/rule-limits.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { CompileError } from '../errors.js';
import { DEFAULT_LEARNING_RATE, LEARNING_PRESETS, feedbackConfig, poolingArea, presetConfig, type FeedbackKind, type LearningPreset } from '../learning/presets.js';

export interface LearningOptions {
  /** A preset name (`ottt`, `ottt-accumulated`, `rate`) or rules in Lava's grammar (`dw = ...`, or `dw = ...; dt = ...`). */
  readonly rule: string;
  /** `last`, or layer names. */
  readonly layers: 'last' | readonly string[];
  /** Model units per sample; default per preset. */
  readonly learningRate?: number;
  /** Epoch of a written rule (steps); presets fix their own. */
  readonly epochSteps?: number;
  /** How a hidden learning layer gets its error: the next layer's weights transposed, or fixed random ones. */
  readonly feedback?: FeedbackKind;
  /** Seed of random feedback weights. */
  readonly feedbackSeed?: number;
}

/**
 * configure-learning: marks the learning layers and writes what their learning engines hold. The rule is parsed
 * against the chip's limits here, so a bad rule fails at compile time naming its column.
 */
export function configureLearning(program: ChipProgram, spec: ChipSpec, options: LearningOptions): ChipProgram {
  const engine = spec.learning;
  if (!engine) throw new CompileError(spec.name, 'this chip has no learning engine (its spec has learning: null)', 'E-LEARNING', null);
  const layers = learningLayers(program, options.layers);
  const preset = (LEARNING_PRESETS as readonly string[]).includes(options.rule) ? (options.rule as LearningPreset) : null;
  const written = preset ? null : writtenRules(options.rule, spec);
  const learningRate = options.learningRate ?? (preset ? DEFAULT_LEARNING_RATE[preset] : 0);
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) throw new CompileError('--learning-rate', `must be a non-negative number, got ${learningRate}`, 'E-LEARNING', null);
  const last = program.layers.length - 1;
  const byLayer = new Map<number, LearningLayerConfig>();
  // From the last layer down: a hidden layer's feedback needs the configuration of the layer after it.
  for (const index of [...layers].sort((a, b) => b - a)) {
    const layer = program.layers[index]!;
    if (index === 0) throw new CompileError(layer.name, 'the first layer reads the input, not spikes: it cannot learn on chip', 'E-LEARNING', layer.name);
    if (!layer.connection.dense)
      throw new CompileError(layer.name, 'only dense layers learn on chip: a conv kernel is shared by many synapses, which Loihi updates one by one', 'E-LEARNING', layer.name);
    const base = preset ?? 'ottt';
    const rate = preset ? learningRate : learningRate || DEFAULT_LEARNING_RATE.ottt;
    let config: LearningLayerConfig;
    if (index === last) {
      config = presetConfig(base, { program, spec, layer: index, learningRate: rate });
    } else {
      const next = byLayer.get(index + 1);
      if (!options.feedback)
        throw new CompileError(layer.name, 'a hidden layer learns from the error fed back by the next layer: add --feedback transposed|random', 'E-LEARNING', layer.name);
      if (!next || next.errorSource !== 'ERROR_OUTPUT_COMPARISON') {
        throw new CompileError(
          layer.name,
          `feedback reaches the layer just before the output layer: learn ${program.layers[index + 1]?.name ?? 'the next layer'} too, and it must be the last layer`,
          'E-LEARNING',
          layer.name,
        );
      }
      if (layer.kind !== 'LAYER_SPIKING')
        throw new CompileError(layer.name, 'a hidden learning layer must be spiking (its post factor is the surrogate of its neurons)', 'E-LEARNING', layer.name);
      config = feedbackConfig(base, { program, spec, layer: index, learningRate: rate }, next, options.feedback, options.feedbackSeed ?? 1);
    }
    if (written) {
      const epochSteps = options.epochSteps ?? 1;
      config = { ...config, ...written, epochSteps, errorTiming: epochSteps === 1 ? 'ERROR_PER_STEP' : 'ERROR_PER_EPOCH', learningRate };
    }
    byLayer.set(index, config);
  }
  const configs = [...layers].sort((a, b) => a - b).map((index) => byLayer.get(index)!);
  for (const c of configs) {
    if (c.epochSteps < 1 || c.epochSteps > engine.maxEpochSteps) {
      throw new CompileError(
        program.layers[c.layer]!.name,
        `learning epoch ${c.epochSteps} steps is outside 1..${engine.maxEpochSteps}`,
        'E-LEARNING',
        program.layers[c.layer]!.name,
      );
    }
    parseLearningRule(c.rule, ruleLimits(engine), 'dw');
    if (c.tagRule !== undefined) parseLearningRule(c.tagRule, ruleLimits(engine), 'dt');
  }
  const first = configs[configs.length - 1]!;
  return {
    ...program,
    learning: {
      layers: configs.map((c) => c.layer),
      rule: options.rule,
      ruleKind: learningRuleKindOf(options.rule),
      epochSteps: first.epochSteps,
      settings: [`learning-rate=${learningRate}`, `pooling-area=${poolingArea(program, first.layer)}`, ...(options.feedback ? [`feedback=${options.feedback}`] : [])],
      layerConfigs: configs,
    },
  };
}

/** A written rule set: the weight's rule, and the tag's where there is one (`dw = ...; dt = ...`). */
function writtenRules(text: string, spec: ChipSpec): { rule: string; tagRule?: string } {
  const rules = parseLearningRules(text, ruleLimits(spec.learning!));
  const dw = rules.find((r) => r.target === 'dw');
  if (!dw) throw new CompileError('--learning', `'${text}' has no 'dw' rule: the tag alone changes no weight`, 'E-LEARNING', null);
  const dt = rules.find((r) => r.target === 'dt');
  return dt ? { rule: dw.text, tagRule: dt.text } : { rule: dw.text };
}

/** Indices of the layers `--learn-layers` names among a network's layers (the quantized ones or the program's). */
export function learningLayers(network: { readonly layers: readonly { readonly name: string }[] }, layers: 'last' | readonly string[]): number[] {
  const all = network.layers;
  if (layers === 'last') return [all.length - 1];
  if (layers.length === 0) throw new CompileError('--learn-layers', 'names no layer', 'E-LEARNING', null);
  return layers.map((name) => {
    const index = all.findIndex((l) => l.name === name);
    if (index < 0) throw new CompileError('--learn-layers', `no layer '${name}' (layers: ${all.map((l) => l.name).join(', ')})`, 'E-LEARNING', null);
    return index;
  });
}
