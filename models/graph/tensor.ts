/** A dense float32 tensor in row-major (C-contiguous) order. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: readonly number[], data: Float32Array): Tensor {
  if (elementCount(shape) !== data.length) {
    throw new RangeError(`tensor of shape [${shape.join(', ')}] needs ${elementCount(shape)} values, got ${data.length}`);
  }
  return { shape: [...shape], data };
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
