// Reference: DESIGN.md sections 3 and 5 (on-chip learning: rule, epoch, traces, surrogate LUT, error as a third
// factor); chips/ir/chip_program.proto (LearningConfig, LearningLayer).
import type { ChipProgram, LearningLayerConfig } from '../../chips/ir/chip-program.js';
import { parseLearningRule } from '../../chips/learning/parse-rule.js';
import { ruleLimits } from '../../chips/learning/rule-limits.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { CompileError } from '../errors.js';
import { DEFAULT_LEARNING_RATE, LEARNING_PRESETS, poolingArea, presetConfig, type LearningPreset } from '../learning/presets.js';

export interface LearningOptions {
  /** A preset name (`ottt`, `rate`) or a rule in Lava's grammar (`dw = ...`). */
  readonly rule: string;
  /** `last`, or layer names. */
  readonly layers: 'last' | readonly string[];
  /** Model units per sample; default per preset. */
  readonly learningRate?: number;
  /** Epoch of a written rule (steps); presets fix their own. */
  readonly epochSteps?: number;
}

/**
 * configure-learning: marks the learning layers and writes what their learning engines hold. The rule is parsed
 * against the chip's limits here, so a bad rule fails at compile time naming its column.
 */
export function configureLearning(program: ChipProgram, spec: ChipSpec, options: LearningOptions): ChipProgram {
  const engine = spec.learning;
  if (!engine) throw new CompileError(spec.name, 'this chip has no learning engine (its spec has learning: null)');
  const layers = learningLayers(program, options.layers);
  const preset = (LEARNING_PRESETS as readonly string[]).includes(options.rule) ? (options.rule as LearningPreset) : null;
  const learningRate = options.learningRate ?? (preset ? DEFAULT_LEARNING_RATE[preset] : 0);
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) throw new CompileError('--learning-rate', `must be a non-negative number, got ${learningRate}`);
  const configs = layers.map((index): LearningLayerConfig => {
    const layer = program.layers[index]!;
    if (index === 0) throw new CompileError(layer.name, 'the first layer reads the input, not spikes: it cannot learn on chip');
    if (!layer.connection.dense) throw new CompileError(layer.name, 'only dense layers learn on chip: a conv kernel is shared by many synapses, which Loihi updates one by one');
    if (index !== program.layers.length - 1) {
      throw new CompileError(layer.name, 'learning a hidden layer needs feedback synapses carrying the error, which this compiler does not add yet: learn the last layer (--learn-layers last)');
    }
    if (preset) return presetConfig(preset, { program, spec, layer: index, learningRate });
    const epochSteps = options.epochSteps ?? 1;
    const ruleText = options.rule;
    parseLearningRule(ruleText, ruleLimits(engine));
    const base = presetConfig('ottt', { program, spec, layer: index, learningRate: learningRate || DEFAULT_LEARNING_RATE.ottt });
    return { ...base, rule: ruleText, epochSteps, errorTiming: epochSteps === 1 ? 'step' : 'epoch', learningRate };
  });
  for (const c of configs) {
    if (c.epochSteps < 1 || c.epochSteps > engine.maxEpochSteps) {
      throw new CompileError(program.layers[c.layer]!.name, `learning epoch ${c.epochSteps} steps is outside 1..${engine.maxEpochSteps}`);
    }
    parseLearningRule(c.rule, ruleLimits(engine));
  }
  const first = configs[0]!;
  return {
    ...program,
    learning: {
      layers,
      rule: options.rule,
      epochSteps: first.epochSteps,
      settings: [`learning-rate=${learningRate}`, `pooling-area=${poolingArea(program, first.layer)}`],
      layerConfigs: configs,
    },
  };
}

function learningLayers(program: ChipProgram, layers: 'last' | readonly string[]): number[] {
  if (layers === 'last') return [program.layers.length - 1];
  if (layers.length === 0) throw new CompileError('--learn-layers', 'names no layer');
  return layers.map((name) => {
    const index = program.layers.findIndex((l) => l.name === name);
    if (index < 0) throw new CompileError('--learn-layers', `no layer '${name}' (layers: ${program.layers.map((l) => l.name).join(', ')})`);
    return index;
  });
}
