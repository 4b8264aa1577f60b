import type { StateDictShapes } from './state-dict-shapes.js';

/** A stage of a torchvision-style ResNet: `layerN`, its first block's stride and how many blocks the keys hold. */
export interface Stage {
  readonly name: string;
  readonly stride: number;
  readonly blocks: number;
}

/** The stages `layer1`, `layer2`, ... with the strides the code gives them, depths counted from the keys. */
export function readStages(keys: StateDictShapes, strides: readonly number[]): Stage[] {
  const stages = strides.map((stride, i) => {
    const name = `layer${i + 1}`;
    const blocks = keys.countChildren(name);
    if (blocks === 0) keys.fail(`expects the blocks of '${name}', which the state dict lacks`);
    return { name, stride, blocks };
  });
  if (keys.countChildren(`layer${strides.length + 1}`) > 0) {
    keys.fail(`the state dict has a stage 'layer${strides.length + 1}'; this architecture has ${strides.length}`);
  }
  return stages;
}

/** Each block's module path and stride, stage by stage, in order. */
export function blocksOf(stages: readonly Stage[]): { readonly path: string; readonly stride: number }[] {
  return stages.flatMap((s) => Array.from({ length: s.blocks }, (_, b) => ({ path: `${s.name}.${b}`, stride: b === 0 ? s.stride : 1 })));
}

/** `[3, 4, 6, 3]` as the seed code writes a depth list. */
export function depthList(stages: readonly Stage[]): string {
  return `[${stages.map((s) => s.blocks).join(', ')}]`;
}

/** The zoo name of a depth (e.g. 'resnet34'), else the constructor call the keys describe. */
export function variantName(stages: readonly Stage[], named: Readonly<Record<string, string>>, constructor: string): string {
  return named[depthList(stages)] ?? `${constructor}, ${depthList(stages)})`;
}
