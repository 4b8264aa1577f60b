import { ModelError } from '../errors.js';
import { checkArchLimits, readArchText } from './arch-limits.js';
import type { ArchLayer, ArchNeuron, ArchSpec, ArchWiring } from './arch-spec.js';

/** Reads and validates an `snn-arch/1` file; every error names the file and the JSON path. */
export function readArchFile(path: string): ArchSpec {
  let text: string;
  try {
    text = readArchText(path);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(path, `cannot read the arch file (${(err as Error).message})`);
  }
  return parseArch(text, path);
}

export function parseArch(text: string, file: string): ArchSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelError(file, `not valid JSON (${(err as Error).message})`);
  }
  return checkArchLimits(validateArch(json, file), file);
}

class Fields {
  constructor(
    private readonly file: string,
    private readonly path: string,
    readonly obj: Record<string, unknown>,
  ) {}

  static of(value: unknown, file: string, path: string): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ModelError(file, `${path} must be an object, found ${describe(value)}`);
    }
    return new Fields(file, path, value as Record<string, unknown>);
  }

  fail(key: string, expected: string): never {
    throw new ModelError(this.file, `${this.path}.${key} must be ${expected}, found ${describe(this.obj[key])}`);
  }

  string(key: string): string {
    const v = this.obj[key];
    return typeof v === 'string' && v.length > 0 ? v : this.fail(key, 'a non-empty string');
  }

  stringOrNull(key: string): string | null {
    const v = this.obj[key];
    if (v === null || v === undefined) return null;
    return typeof v === 'string' && v.length > 0 ? v : this.fail(key, 'a string or null');
  }

  number(key: string, check: (n: number) => boolean = () => true, expected = 'a finite number'): number {
    const v = this.obj[key];
    return typeof v === 'number' && Number.isFinite(v) && check(v) ? v : this.fail(key, expected);
  }

  optionalNumber(key: string, check: (n: number) => boolean, expected: string): number | undefined {
    return this.obj[key] === undefined ? undefined : this.number(key, check, expected);
  }

  positiveInt(key: string): number {
    return this.number(key, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
  }

  intOrPair(key: string, min: number, fallback?: number): number | [number, number] {
    const v = this.obj[key];
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min;
    if (v === undefined && fallback !== undefined) return fallback;
    if (ok(v)) return v;
    if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
    return this.fail(key, `an integer >= ${min} or a pair of them`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.obj[key];
    return allowed.includes(v as T) ? (v as T) : this.fail(key, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }

  boolean(key: string): boolean {
    const v = this.obj[key];
    return typeof v === 'boolean' ? v : this.fail(key, 'true or false');
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the key is missing)';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function validateArch(json: unknown, file: string): ArchSpec {
  const top = Fields.of(json, file, '$');
  const format = top.obj.format;
  if (format !== 'snn-arch/1' && format !== 'snn-arch/2') top.fail('format', "'snn-arch/1' or 'snn-arch/2'");
  const input = Fields.of(top.obj.input, file, '$.input');
  const shape = input.obj.shape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    input.fail('shape', 'a non-empty array of positive integers');
  }
  const layersJson = top.obj.layers;
  if (!Array.isArray(layersJson) || layersJson.length === 0) top.fail('layers', 'a non-empty array');
  const layers = (layersJson as unknown[]).map((l, i) => validateLayer(l, file, `$.layers[${i}]`));
  if (top.obj.output !== undefined && top.obj.output !== 'mean-over-time') top.fail('output', "'mean-over-time'");
  const preset = top.obj.preset;
  if (preset !== undefined && typeof preset !== 'string') top.fail('preset', 'a string');
  const presetModule = top.obj.presetModule;
  if (presetModule !== undefined && typeof presetModule !== 'string') top.fail('presetModule', 'a string');
  return {
    format: format as ArchSpec['format'],
    name: top.string('name'),
    source: top.oneOf('source', ['osr-ots', 'rate-bp', 'other'] as const),
    stateDictKey: top.stringOrNull('stateDictKey'),
    timesteps: top.positiveInt('timesteps'),
    input: {
      shape: shape as number[],
      scale: input.number('scale', (n) => n > 0, 'a positive number'),
      encoding: input.oneOf('encoding', ['direct'] as const),
    },
    neuron: validateNeuron(top.obj.neuron, file),
    layers,
    output: 'mean-over-time',
    ...(typeof preset === 'string' ? { preset } : {}),
    ...(typeof presetModule === 'string' ? { presetModule } : {}),
  };
}

function validateNeuron(json: unknown, file: string): ArchNeuron {
  const f = Fields.of(json, file, '$.neuron');
  return {
    model: f.oneOf('model', ['lif'] as const),
    decay: f.number('decay', (n) => n >= 0 && n <= 1, 'a number in [0, 1]'),
    threshold: f.number('threshold', (n) => n > 0, 'a positive number'),
    reset: f.oneOf('reset', ['subtract', 'zero'] as const),
    ots: f.boolean('ots'),
  };
}

const OPS = ['conv2d', 'linear', 'norm', 'lif', 'avgpool2d', 'maxpool2d', 'adaptiveavgpool2d', 'flatten', 'dropout', 'add'] as const;

function validateLayer(json: unknown, file: string, path: string): ArchLayer {
  const f = Fields.of(json, file, path);
  const wiring: ArchWiring = {
    ...(f.obj.id !== undefined ? { id: f.string('id') } : {}),
    ...(f.obj.input !== undefined ? { input: f.string('input') } : {}),
  };
  return { ...validateOp(f), ...wiring };
}

function validateOp(f: Fields): ArchLayer {
  const op = f.oneOf('op', OPS);
  switch (op) {
    case 'conv2d':
      return {
        op,
        weight: f.string('weight'),
        bias: f.stringOrNull('bias'),
        stride: f.intOrPair('stride', 1, 1),
        padding: f.intOrPair('padding', 0, 0),
      };
    case 'linear':
      return { op, weight: f.string('weight'), bias: f.stringOrNull('bias') };
    case 'norm':
      return {
        op,
        kind: f.oneOf('kind', ['osr', 'batchnorm'] as const),
        prefix: f.string('prefix'),
        eps: f.number('eps', (n) => n > 0, 'a positive number'),
      };
    case 'lif':
      return { op, prefix: f.stringOrNull('prefix') };
    case 'avgpool2d':
    case 'maxpool2d': {
      const kernel = f.positiveInt('kernel');
      const stride = f.optionalNumber('stride', (n) => Number.isInteger(n) && n > 0, 'a positive integer');
      const padding = f.optionalNumber('padding', (n) => Number.isInteger(n) && n >= 0 && 2 * n <= kernel, 'an integer from 0 to half the kernel');
      return { op, kernel, ...(stride === undefined ? {} : { stride }), ...(padding ? { padding } : {}) };
    }
    case 'adaptiveavgpool2d':
      return { op, output: f.intOrPair('output', 1) };
    case 'flatten':
      return { op };
    case 'dropout': {
      const p = f.optionalNumber('p', (n) => n >= 0 && n < 1, 'a number in [0, 1)');
      return p === undefined ? { op } : { op, p };
    }
    case 'add': {
      // snn-arch/2 names both operands; a /1 `from` is the second operand, the first the previous layer.
      if (f.obj.from !== undefined && f.obj.inputs === undefined) return { op, inputs: [null, f.string('from')] };
      const inputs = f.obj.inputs;
      if (!Array.isArray(inputs) || inputs.length !== 2 || !inputs.every((x) => typeof x === 'string' && x.length > 0)) {
        return f.fail('inputs', 'two layer ids');
      }
      if (f.obj.input !== undefined) f.fail('input', "absent on an add (it names its operands in 'inputs')");
      return { op, inputs: [inputs[0] as string, inputs[1] as string] };
    }
  }
}
