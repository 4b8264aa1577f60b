import type { ImageSet } from '../models/datasets/fashion-mnist.js';

/**
 * Fashion-MNIST images fitted to a program whose input is another [C, H, W] (e.g. cnn_sinabs.nir's [2, 34, 34]
 * N-MNIST event frames): each 28x28 image is centred and padded or cropped to H x W and copied into every
 * channel. A program that reads raw values (scale 1, event counts) gets the pixels binarised at 128 into one event
 * each, an 8-bit image program (scale 1/255) the pixels themselves. The labels stay Fashion-MNIST's, so accuracy
 * means nothing for a model trained on other data: this exercises the chip (spikes, energy, latency) only.
 */
export function adaptImages(set: ImageSet, shape: readonly number[], valueScale: number): Uint8Array {
  if (shape.length !== 3) throw new RangeError(`cannot fit [1, 28, 28] images to input [${shape.join(', ')}]: only [C, H, W] inputs`);
  const [channels, height, width] = shape as [number, number, number];
  const [, side] = set.shape;
  const binarise = valueScale === 1;
  const size = channels * height * width;
  const out = new Uint8Array(set.count * size);
  const offsetY = Math.floor((height - side) / 2);
  const offsetX = Math.floor((width - side) / 2);
  for (let n = 0; n < set.count; n++) {
    for (let y = 0; y < height; y++) {
      const sy = y - offsetY;
      if (sy < 0 || sy >= side) continue;
      for (let x = 0; x < width; x++) {
        const sx = x - offsetX;
        if (sx < 0 || sx >= side) continue;
        const pixel = set.images[n * side * side + sy * side + sx]!;
        const value = binarise ? (pixel >= 128 ? 1 : 0) : pixel;
        for (let c = 0; c < channels; c++) out[n * size + (c * height + y) * width + x] = value;
      }
    }
  }
  return out;
}
