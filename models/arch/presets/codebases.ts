import type { ArchLayer, ArchNeuron, ArchSpec } from '../arch-spec.js';
import type { PresetOptions } from './preset.js';
import type { StateDictShapes } from './state-dict-shapes.js';

/** What a codebase fixes for every model of its zoo: where the state dict sits and the neuron. */
export interface Codebase {
  readonly repository: string;
  readonly source: ArchSpec['source'];
  readonly stateDictKey: string;
  readonly neuron: ArchNeuron;
}

/**
 * Paper A: zhuyaoyu/SNN-online-normalization. OnlineLIFNode with tau 2 and decay_input False (u = 0.5*u + I),
 * soft reset (v_reset None), threshold 1 rescaled by OTS (`dynamic_threshold: True` in every yaml); train.py
 * saves the state dict under 'net'.
 */
export const PAPER_A: Codebase = {
  repository: 'zhuyaoyu/SNN-online-normalization',
  source: 'osr-ots',
  stateDictKey: 'net',
  neuron: { model: 'lif', decay: 0.5, threshold: 1, reset: 'subtract', ots: true },
};

/**
 * Paper B: Tab-ct/rate-based-backpropagation. LIFLayer's decay is sigmoid(w) of the configured 0.2, which in
 * float32 is 0x3E4CCCCC; `--thresh` 1.0 and `--v_reset` None (soft reset) are every config's defaults; the
 * mains save the state dict under 'best_net'.
 */
export const PAPER_B: Codebase = {
  repository: 'Tab-ct/rate-based-backpropagation',
  source: 'rate-bp',
  stateDictKey: 'best_net',
  neuron: { model: 'lif', decay: 0.19999998807907104, threshold: 1, reset: 'subtract', ots: false },
};

/** A dataset's input as a codebase's configuration gives it: time steps and image side. */
export interface DatasetDefaults {
  readonly dataset: string;
  readonly timesteps: number;
  readonly side: number;
}

// Paper A: yamls/*.yaml (T) and datasets/data.py (crops and resizes).
export const PAPER_A_CIFAR: DatasetDefaults = { dataset: 'CIFAR-10/100', timesteps: 4, side: 32 };
export const PAPER_A_IMAGENET: DatasetDefaults = { dataset: 'ImageNet', timesteps: 4, side: 224 };
export const PAPER_A_CIFAR10_DVS: DatasetDefaults = { dataset: 'CIFAR10-DVS', timesteps: 10, side: 48 };
// Paper B: experiment/{cifar,dvs,imagenet}/config/config.py (--T) and util/data.py (Resize 48 for CIFAR10-DVS).
export const PAPER_B_CIFAR: DatasetDefaults = { dataset: 'CIFAR-10/100', timesteps: 2, side: 32 };
export const PAPER_B_DVS: DatasetDefaults = { dataset: 'CIFAR10-DVS', timesteps: 10, side: 48 };
export const PAPER_B_IMAGENET: DatasetDefaults = { dataset: 'ImageNet', timesteps: 4, side: 224 };

/** Paper B's dvs main builds every model with in_channel=2 (event polarities); its cifar main leaves 3. */
export function paperBDataset(inChannels: number): DatasetDefaults {
  return inChannels === 2 ? PAPER_B_DVS : PAPER_B_CIFAR;
}

export interface PresetArch {
  readonly codebase: Codebase;
  readonly preset: string;
  /** The constructor the keys describe, e.g. `resnet18` or `ResNet(BasicBlock, [1, 1, 1, 1])`. */
  readonly name: string;
  readonly module: string;
  readonly defaults: DatasetDefaults;
  readonly inChannels: number;
  /** The image side the classifier's width implies, where it does (a fixed-size head). */
  readonly sideFromClassifier?: number;
  readonly layers: readonly ArchLayer[];
}

/** The arch spec of a preset, with the user's time steps and input shape where they may differ. */
export function presetArchSpec(p: PresetArch, keys: StateDictShapes, options: PresetOptions = {}): ArchSpec {
  const side = p.sideFromClassifier ?? p.defaults.side;
  let shape: readonly number[] = [p.inChannels, side, side];
  if (options.inputShape) {
    const given = options.inputShape;
    if (given.length !== 3) keys.fail(`the input shape must be [C, H, W], got [${given.join(', ')}]`);
    if (given[0] !== p.inChannels) keys.fail(`the input shape has ${given[0]} channels, but the first conv reads ${p.inChannels}`);
    if (p.sideFromClassifier !== undefined && (given[1] !== side || given[2] !== side)) {
      keys.fail(`the classifier's width fixes the input at ${side}x${side}, not ${given[1]}x${given[2]}`);
    }
    shape = given;
  }
  const timesteps = options.timesteps ?? p.defaults.timesteps;
  const notes = choiceNotes(p.codebase, p.defaults, shape, options, p.sideFromClassifier !== undefined);
  return {
    format: 'snn-arch/2',
    name: p.name,
    source: p.codebase.source,
    stateDictKey: p.codebase.stateDictKey,
    timesteps,
    input: { shape: [...shape], scale: 1, encoding: 'direct' },
    neuron: p.codebase.neuron,
    layers: p.layers,
    output: 'mean-over-time',
    preset: p.preset,
    presetModule: p.module,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** What a preset chose rather than read: the input size (unless the classifier fixed it) and T, unless given. */
export function choiceNotes(codebase: Codebase, defaults: DatasetDefaults, shape: readonly number[], options: PresetOptions, sideFromClassifier: boolean): string[] {
  const input = options.inputShape
    ? []
    : sideFromClassifier
      ? [`input side ${shape[1]} read from the classifier's width`]
      : [`input ${shape.join('x')}: ${defaults.dataset}'s in ${codebase.repository} (the head adapts to any size; --input-shape C,H,W for another)`];
  const timesteps = options.timesteps !== undefined ? [] : [`T ${defaults.timesteps}: ${defaults.dataset}'s default in ${codebase.repository} (--timesteps for another)`];
  return [...input, ...timesteps];
}

/** The side S with channels*S*S = features, or undefined when there is none. */
export function squareSide(features: number, channels: number): number | undefined {
  const side = Math.round(Math.sqrt(features / channels));
  return side > 0 && side * side * channels === features ? side : undefined;
}
