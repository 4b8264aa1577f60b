/**
 * The largest sizes a model may ask for, whichever door it comes in by (a checkpoint with its arch file or preset,
 * a `.snnmodel`, a NIR file). They bound what the executor, the trainer and the compiler allocate per sample, so
 * a file that states a size cannot make them allocate without limit; each is far above the papers' models.
 */
export const MODEL_LIMITS = {
  /** Steps of one inference: the papers use 4 to 10, event streams and NIR's audio models a few hundred to 1,000. */
  timesteps: 100_000,
  /** Values of one node's output for one sample: VGG-11 on 224x224 images has 3.2 M in its first layer. */
  layerValues: 2 ** 24,
  /** Kernel, stride and padding of a convolution or pooling window, and the sides of an adaptive pool's output. */
  window: 4096,
  /** Nodes in a model: ResNet-152 has about 500 layers of every kind together. */
  nodes: 100_000,
} as const;
