import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures');
/** The shared folder beside the project: holds the large fixtures that are not copied into the repo. */
export const SHARED_FIXTURES = resolve(PROJECT_ROOT, '..', 'shared', 'fixtures');
export const VGG_FIXTURE = join(SHARED_FIXTURES, 'osr-vggsnn-cifar-random');
export const HAS_VGG_FIXTURE = existsSync(join(VGG_FIXTURE, 'checkpoint.pth'));
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
export const HAS_FULL_FASHION_MNIST = existsSync(join(DEBIAN_FASHION_MNIST, 't10k-images-idx3-ubyte.gz'));

export function fixturePath(name: string, file: string): string {
  return join(FIXTURES, name, file);
}

export function readReference<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name, 'reference.json'), 'utf8')) as T;
}

/** Little-endian float32 file (the fixtures' `.f32`). */
export function readF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** The residual fixtures (snn-arch/2, 20-58 MB each): they stay in ../shared; a clone alone skips their suites. */
export const RESIDUAL_FIXTURES = ['osr-resnet19-cifar-random', 'osr-sewresnet-small-random', 'osr-nfresnet-small-random', 'ratebp-resnet-small-random'] as const;

export function sharedFixture(name: string): string {
  return join(SHARED_FIXTURES, name);
}

export function hasSharedFixture(name: string): boolean {
  return existsSync(join(SHARED_FIXTURES, name, 'checkpoint.pth'));
}
