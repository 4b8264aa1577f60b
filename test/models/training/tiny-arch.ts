import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small conv net in the fixtures' shape (conv, norm, LIF, avgpool twice, then a linear read-out) whose layer
 * sizes are given in the arch file itself, so it trains in seconds. Returns the path of the written arch.json.
 */
export function writeTinyArch(kind: 'osr' | 'rate', edit: (arch: Record<string, unknown>) => void = () => {}): string {
  const osr = kind === 'osr';
  const norm = (prefix: string) => (osr ? { op: 'norm', kind: 'osr', prefix, eps: 1e-4 } : { op: 'norm', kind: 'batchnorm', prefix, eps: 1e-5 });
  const arch: Record<string, unknown> = {
    format: 'snn-arch/1',
    name: `tiny-${kind}`,
    source: osr ? 'osr-ots' : 'rate-bp',
    stateDictKey: null,
    timesteps: 4,
    input: { shape: [1, 28, 28], scale: 1 / 255, encoding: 'direct' },
    neuron: { model: 'lif', decay: osr ? 0.5 : 0.2, threshold: 1, reset: 'subtract', ots: osr },
    layers: [
      { op: 'conv2d', weight: 'c1.weight', bias: 'c1.bias', stride: 1, padding: 1, outChannels: 4, kernel: 3 },
      norm('n1'),
      { op: 'lif', prefix: osr ? 'l1' : null },
      { op: 'avgpool2d', kernel: 2 },
      { op: 'conv2d', weight: 'c2.weight', bias: 'c2.bias', stride: 1, padding: 1, outChannels: 8, kernel: 3 },
      norm('n2'),
      { op: 'lif', prefix: osr ? 'l2' : null },
      { op: 'avgpool2d', kernel: 2 },
      { op: 'flatten' },
      { op: 'linear', weight: 'fc.weight', bias: 'fc.bias', outFeatures: 10 },
    ],
    output: 'mean-over-time',
  };
  edit(arch);
  const dir = mkdtempSync(join(tmpdir(), 'spikechip-train-'));
  const path = join(dir, 'arch.json');
  writeFileSync(path, JSON.stringify(arch));
  return path;
}
