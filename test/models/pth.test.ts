import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../models/errors.js';
import { isPthTensor, readPth, readStateDict, toFloat32, type PthTensor } from '../../models/pth/read-pth.js';
import { readTorchZip } from '../../models/pth/read-zip.js';
import { unpickle } from '../../models/pth/unpickle.js';

const fixturePath = (relative: string) => fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
const OSR_FILE = fixturePath('osr-fmnist-conv/checkpoint.pth');
const RATEBP_FILE = fixturePath('ratebp-fmnist-conv/checkpoint.pth');
const CRAFTED = (name: string) => fixturePath(`crafted/${name}`);
// The 36 MB VGG checkpoint is not copied into the project; it is read from the shared fixtures when present.
const VGG_FILE = fileURLToPath(new URL('../../../shared/fixtures/osr-vggsnn-cifar-random/checkpoint.pth', import.meta.url));

const read = (path: string) => new Uint8Array(readFileSync(path));

function catchModelError(run: () => unknown): ModelError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    return error as ModelError;
  }
  throw new Error('expected a ModelError, but the call returned');
}

function tensor(stateDict: Map<string, PthTensor>, name: string): PthTensor {
  const found = stateDict.get(name);
  if (found === undefined) throw new Error(`no tensor ${name}`);
  return found;
}

function expectValues(t: PthTensor, first: number[], last: number[], sum: number): void {
  expect(Array.from(t.values.subarray(0, first.length))).toEqual(first);
  expect(Array.from(t.values.subarray(t.values.length - last.length))).toEqual(last);
  expect(t.values.reduce((total, v) => total + v, 0)).toBeCloseTo(sum, 9);
}

/** A minimal pickle: PROTO 2, the given body, STOP. */
const pickleOf = (...body: number[]) => Uint8Array.of(0x80, 0x02, ...body, 0x2e);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

describe('readPth on the torch 1.13 checkpoint (osr-fmnist-conv)', () => {
  const bytes = read(OSR_FILE);

  it('unpickles the root dict with its scalars', () => {
    const root = readPth(bytes, OSR_FILE);
    expect(root).toBeInstanceOf(Map);
    const map = root as Map<unknown, unknown>;
    expect([...map.keys()]).toEqual(['net', 'epoch', 'max_test_acc']);
    expect(map.get('epoch')).toBe(1);
    expect(map.get('max_test_acc')).toBe(0.8949);
  });

  it('finds the state dict under net with the expected shapes and values', () => {
    const stateDict = readStateDict(bytes, OSR_FILE);
    expect(stateDict.size).toBe(14);
    expect(tensor(stateDict, 'features.0.synapse.weight').shape).toEqual([16, 1, 3, 3]);
    expect(tensor(stateDict, 'features.2.synapse.weight').shape).toEqual([32, 16, 3, 3]);
    expect(tensor(stateDict, 'classifier.0.weight').shape).toEqual([10, 1568]);
    for (const name of ['synapse.bias', 'bn.gamma', 'bn.beta', 'bn.run_mean', 'bn.run_var']) {
      expect(tensor(stateDict, `features.0.${name}`).shape).toEqual([16]);
      expect(tensor(stateDict, `features.0.${name}`).dtype).toBe('float32');
    }
    // Reference values extracted with Python's zipfile + pickle + numpy from the same file.
    expectValues(
      tensor(stateDict, 'features.0.synapse.weight'),
      [-0.31307893991470337, 0.26872849464416504, -0.08721010386943817],
      [-0.07178764790296555, 0.06535530835390091],
      -3.1125399278244004,
    );
    expectValues(
      tensor(stateDict, 'features.0.bn.run_var'),
      [0.0321134477853775, 0.0693991482257843, 0.253366082906723],
      [0.07918167114257812, 0.05783985182642937],
      1.1602563727647066,
    );
    expectValues(
      tensor(stateDict, 'classifier.0.weight'),
      [0.03682907298207283, 0.030772658064961433, 0.10051891207695007],
      [0.012677825056016445, -0.01016390509903431],
      5.376772005139628,
    );
    expectValues(
      tensor(stateDict, 'classifier.0.bias'),
      [0.19698089361190796, -0.11575061082839966, -0.08975882828235626],
      [0.03887175768613815, -0.2791965901851654],
      0.2448386810719967,
    );
  });

  it('reads the same state dict when the key is named', () => {
    const named = readStateDict(bytes, OSR_FILE, 'net');
    expect([...named.keys()]).toEqual([...readStateDict(bytes, OSR_FILE).keys()]);
  });

  it('lists the top-level keys when the named key is missing', () => {
    const error = catchModelError(() => readStateDict(bytes, OSR_FILE, 'best_net'));
    expect(error.message).toContain(OSR_FILE);
    expect(error.message).toContain("no key 'best_net'");
    expect(error.message).toContain("'net', 'epoch', 'max_test_acc'");
  });

  it('refuses a named key that holds no tensors', () => {
    const error = catchModelError(() => readStateDict(bytes, OSR_FILE, 'epoch'));
    expect(error.message).toContain("'epoch' entry is not a state dict of tensors");
  });

  it('converts to float32 tensors', () => {
    const weight = tensor(readStateDict(bytes, OSR_FILE), 'features.0.synapse.weight');
    const converted = toFloat32(weight, 'features.0.synapse.weight', OSR_FILE);
    expect(converted.shape).toEqual([16, 1, 3, 3]);
    expect(converted.data).toBeInstanceOf(Float32Array);
    expect(converted.data[0]).toBe(-0.31307893991470337); // exactly representable: it came from float32
  });
});

describe('readPth on the torch 2 checkpoint (ratebp-fmnist-conv)', () => {
  const bytes = read(RATEBP_FILE);

  it('unpickles scalars and the optimizer state', () => {
    const root = readPth(bytes, RATEBP_FILE) as Map<unknown, unknown>;
    expect([...root.keys()]).toEqual(['best_acc', 'best_epoch', 'best_net', 'optimizer']);
    expect(root.get('best_acc')).toBe(77.92);
    expect(root.get('best_epoch')).toBe(0);

    const optimizer = root.get('optimizer') as Map<unknown, unknown>;
    const state = optimizer.get('state') as Map<unknown, unknown>;
    expect(state).toBeInstanceOf(Map);
    expect([...state.keys()].slice(0, 3)).toEqual([0, 1, 2]); // integer keys survive as numbers
    const momentum = (state.get(0) as Map<unknown, unknown>).get('momentum_buffer');
    expect(isPthTensor(momentum)).toBe(true);
    expect((momentum as PthTensor).shape).toEqual([16, 1, 3, 3]);

    const [group] = optimizer.get('param_groups') as Map<unknown, unknown>[];
    expect(group?.get('lr')).toBe(0);
    expect(group?.get('momentum')).toBe(0.9);
    expect(group?.get('nesterov')).toBe(false);
    expect(group?.get('foreach')).toBeNull();
    expect((group?.get('params') as unknown[]).slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('finds the state dict under best_net, including int64 scalars', () => {
    const stateDict = readStateDict(bytes, RATEBP_FILE);
    expect(stateDict.size).toBe(16);
    expect([...stateDict.keys()]).toContain('feature.1.running_var');
    expect(tensor(stateDict, 'feature.0.weight').shape).toEqual([16, 1, 3, 3]);
    expect(tensor(stateDict, 'classifier.0.weight').shape).toEqual([10, 1568]);

    const batches = tensor(stateDict, 'feature.1.num_batches_tracked');
    expect(batches.dtype).toBe('int64');
    expect(batches.shape).toEqual([]);
    expect(Array.from(batches.values)).toEqual([469]);

    expectValues(
      tensor(stateDict, 'feature.0.weight'),
      [0.7392845153808594, 0.2963486611843109, -0.6458763480186462],
      [-0.019966406747698784, -0.3508685231208801],
      -7.60045241098851,
    );
    expectValues(
      tensor(stateDict, 'feature.5.running_var'),
      [7.9623122215271, 1.7083032131195068, 3.5381224155426025],
      [1.8347164392471313, 6.621013164520264],
      154.55223786830902,
    );
    expectValues(
      tensor(stateDict, 'classifier.0.weight'),
      [0.44631490111351013, -0.2707703113555908, -0.3815315067768097],
      [0.048707105219364166, -0.3049677610397339],
      -3.181869893996918,
    );
  });

  it('reads the torch 2 zip layout records', () => {
    const archive = readTorchZip(bytes, RATEBP_FILE);
    expect(archive.root).toBe('checkpoint');
    expect(archive.storageBytes('0')?.length).toBe(576);
    expect(archive.storageBytes('nope')).toBeUndefined();
  });

  it('refuses a key whose entry holds no tensors', () => {
    const error = catchModelError(() => readStateDict(bytes, RATEBP_FILE, 'optimizer'));
    expect(error.message).toContain("'optimizer' entry is not a state dict of tensors");
  });
});

describe('reading from a Buffer', () => {
  // loadModel hands the reader the Buffer readFileSync gives; its stored records are views into the file's bytes.
  it.each([OSR_FILE, RATEBP_FILE, CRAFTED('strided.pth')])('gives the values a plain Uint8Array copy gives (%s)', (file) => {
    const fromBuffer = readStateDict(readFileSync(file), file);
    const fromCopy = readStateDict(read(file), file);
    expect([...fromBuffer.keys()]).toEqual([...fromCopy.keys()]);
    for (const [name, t] of fromCopy) expect(Array.from(tensor(fromBuffer, name).values), name).toEqual(Array.from(t.values));
  });
});

describe('readPth on the VGG checkpoint from the shared fixtures', () => {
  it.skipIf(!existsSync(VGG_FILE))('loads 50 tensors (skipped when ../shared/fixtures/osr-vggsnn-cifar-random is absent)', () => {
    const stateDict = readStateDict(read(VGG_FILE), VGG_FILE);
    expect(stateDict.size).toBe(50);
    expect(tensor(stateDict, 'classifier.0.weight').shape).toEqual([10, 512]);
    expect(tensor(stateDict, 'features.7.synapse.weight').shape).toEqual([512, 512, 3, 3]);
    expectValues(
      tensor(stateDict, 'features.7.synapse.weight'),
      [-0.00862332247197628, -0.006900891661643982, -0.004573711194097996],
      [0.009001270867884159, -0.04662776738405228],
      -56.77534143575026,
    );
  });
});

describe('tensor rebuilding (crafted checkpoints from test/fixtures/crafted/make_crafted.py)', () => {
  const file = CRAFTED('strided.pth');
  const stateDict = readStateDict(read(file), file);
  const valuesOf = (name: string) => Array.from(tensor(stateDict, name).values);

  it('copies strided views and storage offsets into row-major order', () => {
    expect(valuesOf('matrix')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tensor(stateDict, 'transposed').shape).toEqual([3, 2]);
    expect(valuesOf('transposed')).toEqual([0, 3, 1, 4, 2, 5]);
    expect(tensor(stateDict, 'offset_block').shape).toEqual([2, 2]);
    expect(valuesOf('offset_block')).toEqual([1, 2, 4, 5]);
    expect(valuesOf('column_step')).toEqual([1, 3]);
    expect(tensor(stateDict, 'scalar').shape).toEqual([]);
    expect(valuesOf('scalar')).toEqual([4]);
    expect(tensor(stateDict, 'empty').shape).toEqual([0, 3]);
    expect(valuesOf('empty')).toEqual([]);
  });

  it('decodes every storage dtype', () => {
    const expected: Record<string, [string, number[]]> = {
      halves: ['float16', [1.5, -2, 65504, 2 ** -24]],
      longs: ['int64', [-3, 2 ** 40, 7]],
      ints: ['int32', [-2147483648, 2147483647]],
      bools: ['bool', [1, 0, 1]],
      doubles: ['float64', [0.1, -1e300]],
      int8s: ['int8', [-128, 127]],
      uint8s: ['uint8', [0, 255]],
      shorts: ['int16', [-32768, 32767]],
    };
    for (const [name, [dtype, values]] of Object.entries(expected)) {
      expect(tensor(stateDict, name).dtype).toBe(dtype);
      expect(valuesOf(name)).toEqual(values);
    }
  });

  it('decodes negative and large Python ints exactly', () => {
    const root = readPth(read(file), file) as Map<unknown, unknown>;
    expect(root.get('step')).toBe(-5);
    expect(root.get('big_negative')).toBe(-(2 ** 40));
    expect(root.get('note')).toBe('crafted');
  });

  it('refuses a view that reaches past the end of its storage', () => {
    const outOfBounds = CRAFTED('out-of-bounds.pth');
    const error = catchModelError(() => readPth(read(outOfBounds), outOfBounds));
    expect(error.message).toContain(outOfBounds);
    expect(error.message).toContain('past the end of its storage of 6 elements');
  });

  it('refuses NaN weights, naming the tensor', () => {
    const nanFile = CRAFTED('nan-weight.pth');
    const weight = tensor(readStateDict(read(nanFile), nanFile), 'layer.weight');
    const error = catchModelError(() => toFloat32(weight, 'layer.weight', nanFile));
    expect(error.message).toContain(nanFile);
    expect(error.message).toContain("tensor 'layer.weight' holds NaN at flat index 1");
  });

  it('refuses values that overflow float32', () => {
    const huge: PthTensor = { dtype: 'float64', shape: [2], values: Float64Array.of(1, -1e300) };
    const error = catchModelError(() => toFloat32(huge, 'w', 'x.pth'));
    expect(error.message).toContain("tensor 'w' holds -1e+300, which overflows float32");
  });
});

describe('refusing unsafe or broken checkpoints', () => {
  it('refuses a pickle that names builtins.eval', () => {
    const evil = CRAFTED('evil-eval.pth');
    const error = catchModelError(() => readPth(read(evil), evil));
    expect(error.message).toContain(evil);
    expect(error.message).toContain("the global '__builtin__.eval'");
    expect(error.message).toContain('allow-list');
  });

  it('refuses os.system named by GLOBAL and by STACK_GLOBAL', () => {
    // GLOBAL 'os system'; BINUNICODE 'echo'; TUPLE1; REDUCE
    const viaGlobal = pickleOf(0x63, ...ascii('os\nsystem\n'), 0x58, 4, 0, 0, 0, ...ascii('echo'), 0x85, 0x52);
    // SHORT_BINUNICODE 'os'; SHORT_BINUNICODE 'system'; STACK_GLOBAL
    const viaStackGlobal = pickleOf(0x8c, 2, ...ascii('os'), 0x8c, 6, ...ascii('system'), 0x93);
    for (const pickle of [viaGlobal, viaStackGlobal]) {
      const error = catchModelError(() => unpickle(pickle, 'evil.pkl'));
      expect(error.message).toBe("evil.pkl: pickle names the global 'os.system', which is not on the allow-list of tensor-rebuild " + 'globals; refusing to load it');
    }
  });

  it('refuses torch.storage._load_from_bytes', () => {
    const pickle = pickleOf(0x63, ...ascii('torch.storage\n_load_from_bytes\n'));
    expect(catchModelError(() => unpickle(pickle, 'f.pkl')).message).toContain("'torch.storage._load_from_bytes'");
  });

  it('refuses class-instantiating opcodes', () => {
    // EMPTY_TUPLE EMPTY_TUPLE NEWOBJ
    const error = catchModelError(() => unpickle(pickleOf(0x29, 0x29, 0x81), 'f.pkl'));
    expect(error.message).toContain('NEWOBJ opcode');
  });

  it('refuses a negative BINBYTES length instead of looping forever', () => {
    // pickleparser would move its read position back to the opcode and re-read it without end.
    const error = catchModelError(() => unpickle(pickleOf(0x42, 0xfb, 0xff, 0xff, 0xff), 'loop.pkl'));
    expect(error.message).toContain('loop.pkl');
    expect(error.message).toContain('BINBYTES at byte 2 declares');
  });

  it('drops BUILD state instead of copying it onto objects', () => {
    // EMPTY_LIST, then state {'length': 1000000}, BUILD: pickleparser alone would Object.assign it onto the list.
    const state = [0x7d, 0x58, 6, 0, 0, 0, ...ascii('length'), 0x4a, 0x40, 0x42, 0x0f, 0x00, 0x73];
    expect(unpickle(pickleOf(0x5d, ...state, 0x62), 'f.pkl')).toEqual([]);
  });

  it('wraps pickleparser failures on malformed stacks', () => {
    // APPEND with nothing on the stack: pickleparser throws a TypeError.
    const error = catchModelError(() => unpickle(pickleOf(0x61), 'bad.pkl'));
    expect(error.message).toMatch(/^bad\.pkl: data\.pkl is not a valid checkpoint pickle/);
  });

  it('refuses a storage the archive does not hold', () => {
    const archive = readTorchZip(read(OSR_FILE), OSR_FILE);
    const error = catchModelError(() => unpickle(archive.pickle, OSR_FILE));
    expect(error.message).toContain("refers to storage '0', but the archive has no data/0 record");
  });

  it('refuses a truncated checkpoint, naming the file', () => {
    for (const path of [OSR_FILE, RATEBP_FILE]) {
      const bytes = read(path);
      const error = catchModelError(() => readPth(bytes.subarray(0, bytes.length >> 1), path));
      expect(error.message.startsWith(`${path}: `)).toBe(true);
      expect(error.message).toContain('truncated or corrupt');
    }
  });

  it('refuses a checkpoint with bytes cut from the middle', () => {
    // The central directory survives, but the records after the cut are no longer where it says.
    const bytes = read(OSR_FILE);
    const damaged = new Uint8Array(bytes.length - 1000);
    damaged.set(bytes.subarray(0, 10_000));
    damaged.set(bytes.subarray(11_000), 10_000);
    const error = catchModelError(() => readPth(damaged, OSR_FILE));
    expect(error.message.startsWith(`${OSR_FILE}: is not a readable zip archive (`)).toBe(true);
    expect(error.message).toContain('the file is truncated or corrupt');
  });

  it('refuses corrupt pickle bytes inside a valid zip', () => {
    const bytes = read(OSR_FILE);
    // data.pkl is the first record: its bytes follow the 30-byte local header, the name and the extra field.
    const pickleStart = 30 + (bytes[26]! | (bytes[27]! << 8)) + (bytes[28]! | (bytes[29]! << 8));
    const damaged = bytes.slice();
    damaged[pickleStart + 2] = 0xff;
    const error = catchModelError(() => readPth(damaged, OSR_FILE));
    expect(error.message).toBe(`${OSR_FILE}: data.pkl is not a valid checkpoint pickle (unknown opcode 0xff at byte 2)`);

    // Bytes that stay printable but spell a different global are refused by the allow-list instead.
    damaged[pickleStart + 2] = bytes[pickleStart + 2]!;
    damaged.fill(0x41, pickleStart + 100, pickleStart + 140);
    expect(catchModelError(() => readPth(damaged, OSR_FILE)).message).toContain('allow-list');
  });

  it('refuses a zip64 directory claiming four billion entries instead of looping over them', () => {
    // Rewrite the end of the fixture as a zip64 archive: zip64 end record, zip64 locator, classic end record.
    const bytes = read(OSR_FILE);
    const endRecordAt = bytes.length - 22; // the fixture has no archive comment
    const endRecord = new DataView(bytes.buffer, bytes.byteOffset + endRecordAt, 22);
    const directoryOffset = endRecord.getUint32(16, true);
    const zip64 = new Uint8Array(endRecordAt + 56 + 20 + 22);
    zip64.set(bytes.subarray(0, endRecordAt));
    const view = new DataView(zip64.buffer);
    const zip64EndAt = endRecordAt;
    view.setUint32(zip64EndAt, 0x06064b50, true);
    view.setUint32(zip64EndAt + 32, 0xffffffff, true); // total entries (low word)
    view.setUint32(zip64EndAt + 48, directoryOffset, true);
    const locatorAt = zip64EndAt + 56;
    view.setUint32(locatorAt, 0x07064b50, true);
    view.setUint32(locatorAt + 8, zip64EndAt, true);
    zip64.set(bytes.subarray(endRecordAt), locatorAt + 20);

    const error = catchModelError(() => readPth(zip64, OSR_FILE));
    expect(error.message).toContain('claims 4294967295 entries, more than its 0 bytes can hold');
  });

  it('refuses non-zip data and legacy bare pickles with a clear reason', () => {
    expect(catchModelError(() => readPth(Uint8Array.of(1, 2, 3), 'x.pth')).message).toContain('zip signature');
    expect(catchModelError(() => readPth(new Uint8Array(0), 'x.pth')).message).toContain('zip signature');
    expect(catchModelError(() => readPth(pickleOf(0x4e), 'old.pth')).message).toContain('legacy torch.save format');
  });

  it('refuses a big-endian checkpoint', () => {
    const bigEndian = CRAFTED('big-endian.pth');
    const error = catchModelError(() => readPth(read(bigEndian), bigEndian));
    expect(error.message).toContain("byteorder record says 'big'");
  });

  it('reports when no state dict can be found', () => {
    // A zip whose pickle is the dict {'a': 1}: EMPTY_DICT, BINUNICODE 'a', BININT1 1, SETITEM.
    const root = unpickle(pickleOf(0x7d, 0x58, 1, 0, 0, 0, ...ascii('a'), 0x4b, 1, 0x73), 'f.pkl');
    expect(root).toEqual(new Map([['a', 1]]));
    const error = catchModelError(() => readStateDict(read(CRAFTED('evil-eval.pth')), 'evil'));
    expect(error.message).toContain('allow-list'); // the pickle is refused before any lookup
  });
});
