import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * The bundled trained model: the `osr-fmnist-conv` fixture (paper A's OSR + OTS code, Fashion-MNIST, 2 epochs)
 * converted with `spikechip convert`, its OTS thresholds frozen on the first 1024 training images.
 */
export const BUNDLED_MODEL_FILE = 'osr-fmnist-conv.snnmodel';

export function bundledModelPath(): string {
  return join(packageRoot(), 'models', 'bundled', BUNDLED_MODEL_FILE);
}
