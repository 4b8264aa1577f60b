import { endianness } from 'node:os';
import { Parser } from 'pickleparser';
import { ModelError } from '../errors.js';
import type { MemoryLedger } from '../memory-budget.js';
import { numpyArrayGlobals } from './numpy-globals.js';

/*
 * Turns a torch checkpoint's data.pkl into plain values without executing anything the pickle names.
 *
 * Output: dicts and OrderedDicts become Map (keys as unpickled: strings, numbers, ...), lists, tuples and sets
 * become arrays, bytes become Uint8Array, None becomes null, integers become numbers (exact up to 2^53), and
 * tensors become frozen PthTensor objects (recognise them with isPthTensor).
 *
 * Safety rests on three things: (1) a screening pass walks the opcodes before pickleparser sees them, checking
 * every declared length against the bytes that remain and refusing opcodes torch.save never writes; (2) the
 * only callables the pickle can reach are the allow-listed globals below, each of which validates its
 * arguments; (3) every failure, including TypeErrors pickleparser raises on garbage, becomes a ModelError.
 */

export type PthDtype = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export interface PthTensor {
  readonly dtype: PthDtype;
  readonly shape: readonly number[];
  /** contiguous row-major values as float64 (int64 converted with Number, bool as 0 or 1) */
  readonly values: Float64Array;
}

/** Where unpickling finds the storage records persistent ids refer to; a TorchArchive is one. */
export interface StorageSource {
  storageBytes(key: string): Uint8Array | undefined;
  readonly storageByteTotal: number;
  /** The read's memory accounting: each tensor is charged to it before its values are built. */
  readonly ledger?: MemoryLedger;
}

/** A rebuilt tensor is held as float64 values, then converted to the float32 weights a model keeps. */
const MATERIALISED_BYTES_PER_ELEMENT = 8 + 4;

const NO_STORAGES: StorageSource = { storageBytes: () => undefined, storageByteTotal: 0 };

/**
 * Which globals a pickle may name, and so which kind of pickle is expected:
 * - 'torch-checkpoint': a torch.save data.pkl (tensor rebuilds, OrderedDict); BUILD state is dropped.
 * - 'numpy-arrays': a plain pickle of dicts, lists and numpy arrays, as the CIFAR python batches are (numpy's
 *   _reconstruct / _frombuffer, ndarray and dtype only; see numpy-globals.ts). BUILD is kept, because numpy
 *   arrays and dtypes receive their contents through __setstate__, and Python 2 `str` values (the CIFAR
 *   files are Python 2 pickles) come out as bytes (Uint8Array), since they are byte strings, not text.
 */
export type PickleAllowList = 'torch-checkpoint' | 'numpy-arrays';

interface PickleProfile {
  /** How errors name the pickle. */
  readonly what: string;
  /** Whose writer never emits the refused opcodes. */
  readonly writer: string;
  readonly globalsName: string;
  readonly keepBuild: boolean;
  readonly python2StringsAsBytes: boolean;
}

const PROFILES: Readonly<Record<PickleAllowList, PickleProfile>> = {
  'torch-checkpoint': { what: 'data.pkl is not a valid checkpoint pickle', writer: 'torch.save', globalsName: 'tensor-rebuild', keepBuild: false, python2StringsAsBytes: false },
  'numpy-arrays': { what: 'not a valid pickle of numpy arrays', writer: 'a pickle of numpy arrays', globalsName: 'numpy-array', keepBuild: true, python2StringsAsBytes: true },
};

/**
 * Numpy arrays receive their state through one BUILD each (dtypes through another); a pickle with far more
 * BUILDs than that is not a dataset batch, and each BUILD pickleparser runs on a plain object copies state.
 */
const MAX_BUILDS = 1024;

export function unpickle(pickle: Uint8Array, file: string, storages: StorageSource = NO_STORAGES, allowList: PickleAllowList = 'torch-checkpoint'): unknown {
  const profile = PROFILES[allowList];
  const screenedPickle = screenPickle(pickle, file, profile);
  const session = new UnpicklingSession(file, storages, allowList);
  const parser = new Parser({
    nameResolver: { resolve: (module, name) => session.resolveGlobal(module, name) },
    persistentResolver: { resolve: (persistentId: unknown) => session.resolveStorage(persistentId) },
    extensionResolver: {
      resolve: () => {
        throw new ModelError(file, `pickle uses the extension registry, which ${profile.writer} never uses`);
      },
    },
    unpicklingTypeOfDictionary: 'Map',
    unpicklingTypeOfSet: 'array',
  });
  try {
    return parser.parse(screenedPickle);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    // TypeError, RangeError (e.g. a stack overflow) or pickleparser's own Error: all mean a malformed pickle.
    const reason = error instanceof Error ? error.message : 'unknown failure';
    throw new ModelError(file, `${profile.what} (${clip(reason)})`);
  }
}

const rebuiltTensors = new WeakSet<object>();

/** True only for tensors this module rebuilt, so no pickle can forge one out of a dict. */
export function isPthTensor(value: unknown): value is PthTensor {
  return typeof value === 'object' && value !== null && rebuiltTensors.has(value);
}

// ---------------------------------------------------------------------------------------------------------
// Screening: validate the opcode stream before pickleparser runs it.
// ---------------------------------------------------------------------------------------------------------

type Operand =
  | { readonly kind: 'none' }
  | { readonly kind: 'fixed'; readonly bytes: number }
  | { readonly kind: 'lines'; readonly count: number }
  | { readonly kind: 'counted'; readonly lengthBytes: 1 | 4 | 8 };

interface OpcodeSpec {
  readonly name: string;
  readonly operand: Operand;
  /** Why the opcode is refused, if it is. */
  readonly refusal?: string;
}

const NONE: Operand = { kind: 'none' };
const fixed = (bytes: number): Operand => ({ kind: 'fixed', bytes });
const lines = (count: number): Operand => ({ kind: 'lines', count });
const counted = (lengthBytes: 1 | 4 | 8): Operand => ({ kind: 'counted', lengthBytes });
const NEVER_IN_CHECKPOINTS = 'torch.save never writes';

const OPCODES = new Map<number, OpcodeSpec>([
  [0x28, { name: 'MARK', operand: NONE }],
  [0x2e, { name: 'STOP', operand: NONE }],
  [0x30, { name: 'POP', operand: NONE }],
  [0x31, { name: 'POP_MARK', operand: NONE }],
  [0x32, { name: 'DUP', operand: NONE }],
  [0x46, { name: 'FLOAT', operand: lines(1) }],
  [0x49, { name: 'INT', operand: lines(1) }],
  [0x4a, { name: 'BININT', operand: fixed(4) }],
  [0x4b, { name: 'BININT1', operand: fixed(1) }],
  [0x4c, { name: 'LONG', operand: lines(1) }],
  [0x4d, { name: 'BININT2', operand: fixed(2) }],
  [0x4e, { name: 'NONE', operand: NONE }],
  [0x50, { name: 'PERSID', operand: lines(1), refusal: `${NEVER_IN_CHECKPOINTS} (its persistent ids are tuples)` }],
  [0x51, { name: 'BINPERSID', operand: NONE }],
  [0x52, { name: 'REDUCE', operand: NONE }],
  [0x53, { name: 'STRING', operand: lines(1) }],
  [0x54, { name: 'BINSTRING', operand: counted(4) }],
  [0x55, { name: 'SHORT_BINSTRING', operand: counted(1) }],
  [0x56, { name: 'UNICODE', operand: lines(1) }],
  [0x58, { name: 'BINUNICODE', operand: counted(4) }],
  [0x61, { name: 'APPEND', operand: NONE }],
  [0x62, { name: 'BUILD', operand: NONE }],
  [0x63, { name: 'GLOBAL', operand: lines(2) }],
  // pickleparser builds DICT results as object properties even in Map mode; Python writes DICT only at
  // protocol 0, which torch.save cannot use.
  [0x64, { name: 'DICT', operand: NONE, refusal: NEVER_IN_CHECKPOINTS }],
  [0x7d, { name: 'EMPTY_DICT', operand: NONE }],
  [0x65, { name: 'APPENDS', operand: NONE }],
  [0x67, { name: 'GET', operand: lines(1) }],
  [0x68, { name: 'BINGET', operand: fixed(1) }],
  [0x69, { name: 'INST', operand: lines(2), refusal: `${NEVER_IN_CHECKPOINTS} (it instantiates a class)` }],
  [0x6a, { name: 'LONG_BINGET', operand: fixed(4) }],
  [0x6c, { name: 'LIST', operand: NONE }],
  [0x5d, { name: 'EMPTY_LIST', operand: NONE }],
  [0x6f, { name: 'OBJ', operand: NONE, refusal: `${NEVER_IN_CHECKPOINTS} (it instantiates a class)` }],
  [0x70, { name: 'PUT', operand: lines(1) }],
  [0x71, { name: 'BINPUT', operand: fixed(1) }],
  [0x72, { name: 'LONG_BINPUT', operand: fixed(4) }],
  [0x73, { name: 'SETITEM', operand: NONE }],
  [0x74, { name: 'TUPLE', operand: NONE }],
  [0x29, { name: 'EMPTY_TUPLE', operand: NONE }],
  [0x75, { name: 'SETITEMS', operand: NONE }],
  [0x47, { name: 'BINFLOAT', operand: fixed(8) }],
  [0x80, { name: 'PROTO', operand: fixed(1) }],
  [0x81, { name: 'NEWOBJ', operand: NONE, refusal: `${NEVER_IN_CHECKPOINTS} (it instantiates a class)` }],
  [0x82, { name: 'EXT1', operand: fixed(1), refusal: NEVER_IN_CHECKPOINTS }],
  [0x83, { name: 'EXT2', operand: fixed(2), refusal: NEVER_IN_CHECKPOINTS }],
  [0x84, { name: 'EXT4', operand: fixed(4), refusal: NEVER_IN_CHECKPOINTS }],
  [0x85, { name: 'TUPLE1', operand: NONE }],
  [0x86, { name: 'TUPLE2', operand: NONE }],
  [0x87, { name: 'TUPLE3', operand: NONE }],
  [0x88, { name: 'NEWTRUE', operand: NONE }],
  [0x89, { name: 'NEWFALSE', operand: NONE }],
  [0x8a, { name: 'LONG1', operand: counted(1) }],
  [0x8b, { name: 'LONG4', operand: counted(4) }],
  [0x42, { name: 'BINBYTES', operand: counted(4) }],
  [0x43, { name: 'SHORT_BINBYTES', operand: counted(1) }],
  [0x8c, { name: 'SHORT_BINUNICODE', operand: counted(1) }],
  [0x8d, { name: 'BINUNICODE8', operand: counted(8) }],
  [0x8e, { name: 'BINBYTES8', operand: counted(8) }],
  [0x8f, { name: 'EMPTY_SET', operand: NONE }],
  [0x90, { name: 'ADDITEMS', operand: NONE }],
  [0x91, { name: 'FROZENSET', operand: NONE }],
  [0x92, { name: 'NEWOBJ_EX', operand: NONE, refusal: `${NEVER_IN_CHECKPOINTS} (it instantiates a class)` }],
  [0x93, { name: 'STACK_GLOBAL', operand: NONE }],
  [0x94, { name: 'MEMOIZE', operand: NONE }],
  [0x95, { name: 'FRAME', operand: fixed(8) }],
  [0x96, { name: 'BYTEARRAY8', operand: counted(8) }],
  [0x97, { name: 'NEXT_BUFFER', operand: NONE, refusal: `${NEVER_IN_CHECKPOINTS} (out-of-band buffers)` }],
  [0x98, { name: 'READONLY_BUFFER', operand: NONE, refusal: `${NEVER_IN_CHECKPOINTS} (out-of-band buffers)` }],
]);

const STOP = 0x2e;
const POP = 0x30;
const BUILD = 0x62;
const PROTO = 0x80;
const LONG1 = 0x8a;
const LONG4 = 0x8b;
const BINSTRING = 0x54;
const SHORT_BINSTRING = 0x55;
const BINBYTES = 0x42;
const SHORT_BINBYTES = 0x43;
const HIGHEST_PICKLE_PROTOCOL = 5;
/** Integers this long do not occur in checkpoints; decoding one costs time quadratic in its length. */
const MAX_INTEGER_BYTES = 1024;

/**
 * Returns the pickle up to its STOP opcode, with two rewrites that keep pickleparser on safe paths:
 * - BUILD becomes POP. Torch uses BUILD only to attach `_metadata` to state-dict OrderedDicts, which loading
 *   does not need; pickleparser's BUILD copies arbitrary state onto arbitrary objects (Object.assign), which a
 *   crafted pickle can repeat to allocate memory quadratic in its size.
 * - LONG1/LONG4 become the text LONG opcode. pickleparser decodes them as unsigned, so negative integers
 *   would come out as huge positive ones.
 * Checking lengths here matters too: pickleparser moves its read position backwards on a negative BINBYTES
 * length and then re-reads the same opcode forever.
 */
function screenPickle(pickle: Uint8Array, file: string, profile: PickleProfile): Uint8Array {
  const corrupt = (detail: string) => new ModelError(file, `${profile.what} (${detail})`);
  let builds = 0;
  const output: Uint8Array[] = [];
  let copiedUpTo = 0;
  let position = 0;

  for (;;) {
    if (position >= pickle.length) throw corrupt('it ends before its STOP opcode; the file is truncated');
    const opcodeAt = position;
    const opcode = pickle[position]!;
    position += 1;
    const spec = OPCODES.get(opcode);
    if (spec === undefined) throw corrupt(`unknown opcode 0x${opcode.toString(16)} at byte ${opcodeAt}`);
    if (spec.refusal !== undefined) {
      throw new ModelError(
        file,
        `pickle uses the ${spec.name} opcode (byte ${opcodeAt}), which ${spec.refusal.replace(NEVER_IN_CHECKPOINTS, `${profile.writer} never writes`)}; refusing to load it`,
      );
    }

    const operandAt = position;
    position = skipOperand(pickle, position, spec, (detail) => corrupt(`${spec.name} at byte ${opcodeAt} ${detail}`));

    if (opcode === STOP) break;
    if (opcode === PROTO && pickle[operandAt]! > HIGHEST_PICKLE_PROTOCOL) {
      throw corrupt(`pickle protocol ${pickle[operandAt]} is newer than the highest known, ${HIGHEST_PICKLE_PROTOCOL}`);
    }
    if (opcode === BUILD && profile.keepBuild) {
      builds += 1;
      if (builds > MAX_BUILDS) throw corrupt(`more than ${MAX_BUILDS} BUILD opcodes`);
      continue;
    }
    if (profile.python2StringsAsBytes && (opcode === BINSTRING || opcode === SHORT_BINSTRING)) {
      // Same operand layout, so only the opcode byte changes.
      output.push(pickle.subarray(copiedUpTo, opcodeAt), Uint8Array.of(opcode === BINSTRING ? BINBYTES : SHORT_BINBYTES));
      copiedUpTo = opcodeAt + 1;
      continue;
    }
    if (opcode === BUILD || opcode === LONG1 || opcode === LONG4) {
      output.push(pickle.subarray(copiedUpTo, opcodeAt));
      if (opcode === BUILD) {
        output.push(Uint8Array.of(POP));
      } else {
        const lengthBytes = opcode === LONG1 ? 1 : 4;
        const integerBytes = pickle.subarray(operandAt + lengthBytes, position);
        if (integerBytes.length > MAX_INTEGER_BYTES) {
          throw corrupt(`integer of ${integerBytes.length} bytes at byte ${opcodeAt}`);
        }
        output.push(new TextEncoder().encode(`L${decodeSignedLittleEndian(integerBytes)}\n`));
      }
      copiedUpTo = position;
    }
  }
  output.push(pickle.subarray(copiedUpTo, position));
  return concatBytes(output);
}

/** Returns the position after the operand, or throws (via `fail`) when the operand overruns the data. */
function skipOperand(pickle: Uint8Array, at: number, spec: OpcodeSpec, fail: (detail: string) => Error): number {
  const remaining = pickle.length - at;
  const { operand } = spec;
  switch (operand.kind) {
    case 'none':
      return at;
    case 'fixed':
      if (operand.bytes > remaining) throw fail(`needs ${operand.bytes} operand bytes but ${remaining} remain`);
      return at + operand.bytes;
    case 'lines': {
      let position = at;
      for (let line = 0; line < operand.count; line += 1) {
        const newline = pickle.indexOf(0x0a, position);
        if (newline < 0) throw fail('has no terminating newline');
        position = newline + 1;
      }
      return position;
    }
    case 'counted': {
      if (operand.lengthBytes > remaining) throw fail('is cut off inside its length field');
      const length = readUnsignedLittleEndian(pickle, at, operand.lengthBytes);
      const available = remaining - operand.lengthBytes;
      if (length > available) throw fail(`declares ${length} bytes but only ${available} remain`);
      return at + operand.lengthBytes + length;
    }
  }
}

function readUnsignedLittleEndian(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = count - 1; i >= 0; i -= 1) value = value * 256 + bytes[at + i]!;
  return value; // inexact above 2^53 for 8-byte lengths, but then it exceeds any buffer anyway
}

function decodeSignedLittleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i -= 1) value = (value << 8n) | BigInt(bytes[i]!);
  const negative = bytes.length > 0 && (bytes[bytes.length - 1]! & 0x80) !== 0;
  return negative ? value - (1n << BigInt(8 * bytes.length)) : value;
}

function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(pieces.reduce((total, piece) => total + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    joined.set(piece, offset);
    offset += piece.length;
  }
  return joined;
}

// ---------------------------------------------------------------------------------------------------------
// Globals and persistent ids: the only things a pickle can call or load.
// ---------------------------------------------------------------------------------------------------------

type PickleCallable = (...args: unknown[]) => unknown;

const STORAGE_DTYPES: Readonly<Record<string, PthDtype>> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const BYTES_PER_ELEMENT: Readonly<Record<PthDtype, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

interface StorageRecord {
  readonly key: string;
  readonly dtype: PthDtype;
  readonly numel: number;
  readonly readElement: (index: number) => number;
  readonly bytes: Uint8Array;
}

/** Torch tensors have at most this many dimensions. */
const MAX_RANK = 64;

/**
 * The callables one unpickling may reach. They are created per unpickling and frozen, so a pickle cannot
 * leave state behind for the next load; storages are opaque tokens looked up by identity, so a pickle
 * cannot forge one.
 */
class UnpicklingSession {
  private readonly globals = new Map<string, PickleCallable>();
  private readonly storageTypes = new Map<unknown, PthDtype>();
  private readonly storageRecords = new WeakMap<object, StorageRecord>();
  private readonly storageTokensByKey = new Map<string, object>();
  /**
   * How many tensor elements this unpickling may still build. A checkpoint may hold a few views of one
   * storage (tied weights), but a crafted pickle could rebuild one big storage thousands of times.
   */
  private elementBudget: number;

  constructor(
    private readonly file: string,
    private readonly storages: StorageSource,
    private readonly allowList: PickleAllowList,
  ) {
    this.elementBudget = 2 * storages.storageByteTotal + 1024;
    if (allowList === 'numpy-arrays') {
      for (const { module, name, callable } of numpyArrayGlobals((detail) => this.error(detail))) this.allow(module, name, callable);
      return;
    }
    this.allow('collections', 'OrderedDict', (...args) => {
      // Python 3 pickles an OrderedDict as OrderedDict() followed by SETITEMS; accepting an item list would
      // let a pickle copy one big list into a new Map per call.
      if (args.length > 0) throw this.error('collections.OrderedDict is called with arguments; expected none');
      return new Map<unknown, unknown>();
    });
    this.allow('torch._utils', '_rebuild_tensor_v2', (...args) => this.rebuildTensor(args));
    for (const [typeName, dtype] of Object.entries(STORAGE_DTYPES)) {
      const storageType = this.allow('torch', typeName, () => {
        throw this.error(`torch.${typeName} may only name a storage's type, not be called`);
      });
      this.storageTypes.set(storageType, dtype);
    }
  }

  resolveGlobal(module: unknown, name: unknown): PickleCallable {
    if (typeof module !== 'string' || typeof name !== 'string') {
      throw this.error(`pickle names a global whose module or name is not a string (${describe(module)}, ${describe(name)})`);
    }
    const allowed = this.globals.get(`${module}\n${name}`);
    if (allowed !== undefined) return allowed;
    throw this.error(
      `pickle names the global '${clip(module)}.${clip(name)}', which is not on the allow-list of ` + `${PROFILES[this.allowList].globalsName} globals; refusing to load it`,
    );
  }

  /** Persistent ids are ('storage', StorageType, key, location, numel). */
  resolveStorage(persistentId: unknown): object {
    if (!Array.isArray(persistentId) || persistentId.length !== 5 || persistentId[0] !== 'storage') {
      throw this.error(`pickle has a persistent id ${describe(persistentId)}; expected ('storage', type, key, location, numel)`);
    }
    const [, storageType, key, location, numel] = persistentId as unknown[];
    const dtype = this.storageTypes.get(storageType);
    if (dtype === undefined) throw this.error(`storage persistent id names ${describe(storageType)} as its type`);
    if (typeof key !== 'string') throw this.error(`storage persistent id has key ${describe(key)}; expected a string`);
    if (typeof location !== 'string') throw this.error(`storage '${clip(key)}' has location ${describe(location)}`);
    if (!isCount(numel)) throw this.error(`storage '${clip(key)}' claims ${describe(numel)} elements`);

    const known = this.storageTokensByKey.get(key);
    if (known !== undefined) {
      const record = this.storageRecords.get(known)!;
      if (record.dtype !== dtype || record.numel !== numel) {
        throw this.error(`storage '${clip(key)}' is referenced both as ${record.dtype}[${record.numel}] and ${dtype}[${numel}]`);
      }
      return known;
    }

    const bytes = this.storages.storageBytes(key);
    if (bytes === undefined) {
      throw this.error(`pickle refers to storage '${clip(key)}', but the archive has no data/${clip(key)} record`);
    }
    const neededBytes = numel * BYTES_PER_ELEMENT[dtype];
    if (bytes.length < neededBytes) {
      throw this.error(`storage '${clip(key)}' should hold ${numel} ${dtype} values (${neededBytes} bytes), ` + `but its record has ${bytes.length} bytes`);
    }
    const token = Object.freeze(Object.create(null) as object);
    this.storageRecords.set(token, { key, dtype, numel, readElement: elementReader(dtype, bytes), bytes });
    this.storageTokensByKey.set(key, token);
    return token;
  }

  /**
   * torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]);
   * requires_grad, backward_hooks and metadata do not affect the values, so they are not checked.
   */
  private rebuildTensor(args: unknown[]): PthTensor {
    if (args.length < 6 || args.length > 7) {
      throw this.error(`_rebuild_tensor_v2 gets ${args.length} arguments; expected 6 or 7`);
    }
    const [storageToken, offset, size, stride] = args;
    const storage = typeof storageToken === 'object' && storageToken !== null ? this.storageRecords.get(storageToken) : undefined;
    if (storage === undefined) {
      throw this.error(`_rebuild_tensor_v2 gets ${describe(storageToken)} where a storage belongs`);
    }
    const where = `tensor on storage '${clip(storage.key)}'`;
    if (!isCount(offset)) throw this.error(`${where} has storage offset ${describe(offset)}`);
    const shape = countList(size);
    const strides = countList(stride);
    if (shape === undefined || shape.length > MAX_RANK) throw this.error(`${where} has size ${describe(size)}`);
    if (strides === undefined || strides.length !== shape.length) {
      throw this.error(`${where} has stride ${describe(stride)} for a size of ${shape.length} dimensions`);
    }

    let numel = 1;
    for (const extent of shape) {
      numel *= extent;
      if (numel > storage.numel) {
        throw this.error(`${where} has size [${shape.join(', ')}], more elements than its storage's ${storage.numel}`);
      }
    }
    if (numel > 0) {
      const lastIndex = shape.reduce((index, extent, d) => index + (extent - 1) * strides[d]!, offset);
      if (lastIndex >= storage.numel) {
        throw this.error(
          `${where} (offset ${offset}, size [${shape.join(', ')}], stride [${strides.join(', ')}]) reaches element ` +
            `${lastIndex}, past the end of its storage of ${storage.numel} elements`,
        );
      }
    }
    this.elementBudget -= numel;
    if (this.elementBudget < 0) throw this.error('pickle rebuilds far more tensor data than the archive stores');
    this.storages.ledger?.charge(numel * MATERIALISED_BYTES_PER_ELEMENT, `${where} of size [${shape.join(', ')}] (${numel} elements as float64 and float32)`);

    const tensor: PthTensor = Object.freeze({
      dtype: storage.dtype,
      shape: Object.freeze(shape),
      values:
        storage.dtype === 'float32' && LITTLE_ENDIAN_HOST && rowMajor(shape, strides)
          ? widenFloat32(storage.bytes, offset, numel)
          : gatherStrided(storage.readElement, offset, shape, strides, numel),
    });
    rebuiltTensors.add(tensor);
    return tensor;
  }

  private allow(module: string, name: string, callable: PickleCallable): PickleCallable {
    const frozen = Object.freeze(callable);
    this.globals.set(`${module}\n${name}`, frozen);
    return frozen;
  }

  private error(detail: string): ModelError {
    return new ModelError(this.file, detail);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tensor data: decode storage bytes (little-endian; read-zip refuses big-endian archives) and copy strided
// views into contiguous row-major order.
// ---------------------------------------------------------------------------------------------------------

function elementReader(dtype: PthDtype, bytes: Uint8Array): (index: number) => number {
  // A DataView, because torch 1.x packs storages in the zip without alignment.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32':
      return (index) => view.getFloat32(index * 4, true);
    case 'float64':
      return (index) => view.getFloat64(index * 8, true);
    case 'float16':
      return (index) => halfToNumber(view.getUint16(index * 2, true));
    case 'int64':
      return (index) => Number(view.getBigInt64(index * 8, true));
    case 'int32':
      return (index) => view.getInt32(index * 4, true);
    case 'int16':
      return (index) => view.getInt16(index * 2, true);
    case 'int8':
      return (index) => view.getInt8(index);
    case 'uint8':
      return (index) => view.getUint8(index);
    case 'bool':
      return (index) => (view.getUint8(index) === 0 ? 0 : 1);
  }
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** True when a view's elements lie in storage in row-major order, one after another (a dimension of one may have any stride). */
function rowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d -= 1) {
    if (shape[d] !== 1 && strides[d] !== step) return false;
    step *= shape[d]!;
  }
  return true;
}

/**
 * A contiguous float32 view's values, widened by the typed-array constructor: copied to an aligned buffer first, as
 * torch 1.x does not align storages in the zip (a little-endian host only: the storage bytes are little-endian).
 * Gives gatherStrided's values (each float32 read and widened exactly), VGGSNN's 9 M weights in a fraction of its time.
 */
function widenFloat32(bytes: Uint8Array, offset: number, numel: number): Float64Array {
  // Not bytes.slice: on a Buffer that is a view, not a copy.
  const aligned = new Uint8Array(numel * 4);
  aligned.set(bytes.subarray(offset * 4, (offset + numel) * 4));
  return new Float64Array(new Float32Array(aligned.buffer, 0, numel));
}

/** Visits the view's elements in row-major order, stepping the storage index like an odometer. */
function gatherStrided(readElement: (index: number) => number, offset: number, shape: readonly number[], strides: readonly number[], numel: number): Float64Array {
  const values = new Float64Array(numel);
  const position = new Array<number>(shape.length).fill(0);
  let storageIndex = offset;
  for (let i = 0; i < numel; i += 1) {
    values[i] = readElement(storageIndex);
    for (let d = shape.length - 1; d >= 0; d -= 1) {
      const stride = strides[d]!;
      position[d]! += 1;
      storageIndex += stride;
      if (position[d]! < shape[d]!) break;
      storageIndex -= stride * shape[d]!;
      position[d] = 0;
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------------
// Validation and message helpers. Messages never interpolate untrusted objects, whose toString could be anything.
// ---------------------------------------------------------------------------------------------------------

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function countList(value: unknown): number[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = value as unknown[];
  return items.every(isCount) ? [...items] : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'string') return `'${clip(value)}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `a tuple or list of ${value.length} items`;
  if (value instanceof Map) return 'a dict';
  if (typeof value === 'function') return 'a global';
  return `a value of type ${typeof value}`;
}

function clip(text: string, maxLength = 120): string {
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > maxLength ? `${printable.slice(0, maxLength)}...` : printable;
}
