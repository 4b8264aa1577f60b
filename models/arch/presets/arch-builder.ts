import type { ArchLayer } from '../arch-spec.js';
import type { StateDictShapes } from './state-dict-shapes.js';

/** The id by which an snn-arch/2 layer reads the model's input sample. */
export const SAMPLE = 'input';

/** A pooling window as model/graph reads it: stride defaults to the kernel, padding to 0. */
export interface PoolWindow {
  readonly kernel: number;
  readonly stride?: number;
  readonly padding?: number;
}

/**
 * Lays out an snn-arch/2 graph whose layer ids are the seed code's module paths, writing `input` only where a
 * layer does not read the one before it (as the fixtures' arch files do), so a preset's arch equals the file.
 */
export class ArchBuilder {
  readonly layers: ArchLayer[] = [];
  private last = SAMPLE;

  constructor(private readonly keys: StateDictShapes) {}

  /** The id of the layer added last (the model's sample before any). */
  get current(): string {
    return this.last;
  }

  private push(id: string, layer: ArchLayer, from: string): string {
    this.layers.push(from === this.last ? { id, ...layer } : { id, ...layer, input: from });
    this.last = id;
    return id;
  }

  /** A conv whose weight is `<id>.weight` with the kernel the code builds; its bias if the state dict has one. */
  conv(id: string, kernel: number, stride: number, padding: number, from = this.last): string {
    this.keys.convOut(`${id}.weight`, kernel);
    return this.push(id, { op: 'conv2d', weight: `${id}.weight`, bias: this.bias(id), stride, padding }, from);
  }

  linear(id: string, from = this.last): string {
    this.keys.shape(`${id}.weight`, 2);
    return this.push(id, { op: 'linear', weight: `${id}.weight`, bias: this.bias(id) }, from);
  }

  norm(id: string, kind: 'osr' | 'batchnorm', from = this.last): string {
    // OSR (paper A's MySyncBN) divides by sqrt(var + 1e-4); torch's BatchNorm2d by sqrt(var + 1e-5).
    return this.push(id, { op: 'norm', kind, prefix: id, eps: kind === 'osr' ? 1e-4 : 1e-5 }, from);
  }

  lif(id: string, from = this.last): string {
    return this.push(id, { op: 'lif', prefix: id }, from);
  }

  pool(id: string, op: 'avgpool2d' | 'maxpool2d', window: PoolWindow, from = this.last): string {
    return this.push(id, { op, ...window }, from);
  }

  adaptiveAvgPool(id: string, output: number, from = this.last): string {
    return this.push(id, { op: 'adaptiveavgpool2d', output }, from);
  }

  flatten(id: string, from = this.last): string {
    return this.push(id, { op: 'flatten' }, from);
  }

  add(id: string, a: string, b: string): string {
    this.layers.push({ id, op: 'add', inputs: [a, b] });
    this.last = id;
    return id;
  }

  private bias(id: string): string | null {
    return this.keys.has(`${id}.bias`) ? `${id}.bias` : null;
  }
}
