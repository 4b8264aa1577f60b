import { ModelError } from '../../errors.js';
import type { TensorShapes } from './preset.js';

/**
 * The tensor shapes of one checkpoint as a preset reads them: every missing key or unexpected shape is a
 * ModelError naming the file, the preset and the key.
 */
export class StateDictShapes {
  constructor(
    readonly shapes: TensorShapes,
    readonly file: string,
    readonly preset: string,
  ) {}

  has(key: string): boolean {
    return this.shapes.has(key);
  }

  fail(message: string): never {
    throw new ModelError(this.file, `preset ${this.preset}: ${message}`);
  }

  shape(key: string, rank: number): readonly number[] {
    const shape = this.shapes.get(key);
    if (!shape) this.fail(`expects the key '${key}', which the state dict lacks`);
    if (shape.length !== rank) this.fail(`'${key}' has shape [${shape.join(', ')}], expected a ${rank}-D tensor`);
    return shape;
  }

  /** Output channels of a conv, after checking its kernel is the one the seed code builds there. */
  convOut(weight: string, kernel: number): number {
    const shape = this.shape(weight, 4);
    if (shape[2] !== kernel || shape[3] !== kernel) {
      this.fail(`'${weight}' has shape [${shape.join(', ')}], expected a ${kernel}x${kernel} kernel`);
    }
    return shape[0]!;
  }

  /**
   * How many children `prefix.0`, `prefix.1`, ... hold tensors (e.g. the blocks of a ResNet stage); a gap is
   * refused, since nn.Sequential numbers its children without one.
   */
  countChildren(prefix: string): number {
    const found = new Set<number>();
    const head = `${prefix}.`;
    for (const key of this.shapes.keys()) {
      if (!key.startsWith(head)) continue;
      const index = key.slice(head.length).split('.')[0]!;
      if (/^\d+$/.test(index)) found.add(Number(index));
    }
    for (let i = 0; i < found.size; i += 1) {
      if (!found.has(i)) this.fail(`'${prefix}' has children ${[...found].sort((a, b) => a - b).join(', ')}: ${i} is missing`);
    }
    return found.size;
  }
}

/** True when every key is in the state dict. */
export function hasAll(shapes: TensorShapes, keys: readonly string[]): boolean {
  return keys.every((k) => shapes.has(k));
}

/** True when some key starts with the prefix. */
export function hasPrefix(shapes: TensorShapes, prefix: string): boolean {
  for (const key of shapes.keys()) if (key.startsWith(prefix)) return true;
  return false;
}
