/**
 * The numpy globals a plain pickle of arrays names, as safe stand-ins: they record shape, dtype and raw bytes and
 * check them against each other, and never run anything the pickle supplies.
 *
 * How numpy pickles an ndarray (numpy/core/src/multiarray/methods.c, array_reduce / array_setstate):
 *   protocol <= 4:  _reconstruct(ndarray, (0,), b'b')  then BUILD with (version, shape, dtype, is_fortran, rawdata)
 *                   (the version is left out by old numpy: a 4-tuple)
 *   protocol 5:     _frombuffer(buffer, dtype, shape, order)
 * and a dtype as dtype(name, align, copy) then BUILD with (version, byteorder, ...), e.g. ('u1', 0, 1) and
 * (3, '|', None, None, None, -1, -1, 0). numpy 2 moved numpy.core to numpy._core; both names are accepted.
 */

export type NumpyDtype = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64' | 'bool';

const DTYPE_CODES: Readonly<Record<string, { dtype: NumpyDtype; itemSize: number }>> = {
  u1: { dtype: 'uint8', itemSize: 1 },
  i1: { dtype: 'int8', itemSize: 1 },
  b1: { dtype: 'bool', itemSize: 1 },
  i2: { dtype: 'int16', itemSize: 2 },
  u2: { dtype: 'uint16', itemSize: 2 },
  i4: { dtype: 'int32', itemSize: 4 },
  u4: { dtype: 'uint32', itemSize: 4 },
  i8: { dtype: 'int64', itemSize: 8 },
  u8: { dtype: 'uint64', itemSize: 8 },
  f4: { dtype: 'float32', itemSize: 4 },
  f8: { dtype: 'float64', itemSize: 8 },
};

/** An unpickled numpy array: C-order raw bytes (a view into the pickle), little-endian or single-byte. */
export interface NumpyArrayValue {
  readonly dtype: NumpyDtype;
  readonly itemSize: number;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

const arrays = new WeakSet<object>();

/** True only for arrays rebuilt here, so no pickle can forge one out of a dict. */
export function isNumpyArray(value: unknown): value is NumpyArrayValue {
  return typeof value === 'object' && value !== null && arrays.has(value) && (value as NumpyArrayPlaceholder).complete;
}

type Fail = (detail: string) => Error;

class DtypePlaceholder {
  littleEndianOrSingleByte = true;
  private stateSet = false;
  constructor(
    readonly code: string,
    readonly dtype: NumpyDtype,
    readonly itemSize: number,
    private readonly fail: Fail,
  ) {}

  __setstate__(state: unknown): void {
    if (this.stateSet) throw this.fail('a numpy dtype receives its state twice');
    if (!Array.isArray(state) || state.length < 2) throw this.fail('a numpy dtype has a state that is not a tuple of at least 2 items');
    const order = pickleText(state[1]);
    if (order === undefined || !['<', '>', '|', '='].includes(order)) throw this.fail(`numpy dtype ${this.code} has byte order ${String(order)}`);
    this.littleEndianOrSingleByte = order !== '>' || this.itemSize === 1;
    this.stateSet = true;
  }
}

class NumpyArrayPlaceholder implements NumpyArrayValue {
  dtype: NumpyDtype = 'uint8';
  itemSize = 1;
  shape: readonly number[] = [];
  data: Uint8Array = new Uint8Array(0);
  complete = false;
  constructor(private readonly fail: Fail) {}

  __setstate__(state: unknown): void {
    if (this.complete) throw this.fail('a numpy array receives its state twice');
    if (!Array.isArray(state) || (state.length !== 4 && state.length !== 5)) {
      throw this.fail('a numpy array state is not (version, shape, dtype, is_fortran, data)');
    }
    const [shape, dtype, fortran, data] = state.length === 5 ? state.slice(1) : state;
    this.fill(shape, dtype, fortran === true || fortran === 1 ? 'F' : 'C', data);
  }

  fill(shape: unknown, dtype: unknown, order: string, data: unknown): void {
    if (!(dtype instanceof DtypePlaceholder)) throw this.fail('a numpy array names something other than a numpy dtype as its dtype');
    if (!dtype.littleEndianOrSingleByte) throw this.fail(`numpy array of big-endian ${dtype.code}: only little-endian data are read`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0) || shape.length > 32) {
      throw this.fail('a numpy array has a shape that is not a tuple of non-negative integers');
    }
    const extents = shape as number[];
    if (order !== 'C' && extents.filter((d) => d > 1).length > 1) throw this.fail('a numpy array is in Fortran order; only C order is read');
    if (!(data instanceof Uint8Array)) throw this.fail('a numpy array holds its data in something other than a byte string');
    const elements = extents.reduce((n, d) => n * d, 1);
    if (elements * dtype.itemSize !== data.length) {
      throw this.fail(`a numpy array of shape [${extents.join(', ')}] and dtype ${dtype.code} needs ${elements * dtype.itemSize} bytes, its data has ${data.length}`);
    }
    this.dtype = dtype.dtype;
    this.itemSize = dtype.itemSize;
    this.shape = Object.freeze([...extents]);
    this.data = data;
    this.complete = true;
    Object.freeze(this);
  }
}

/** A Python 2 str or Python 3 bytes/str as text (latin-1, as Python's encoding='latin1' reads a Python 2 str). */
export function pickleText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array && value.length <= 4096) return Buffer.from(value.buffer, value.byteOffset, value.length).toString('latin1');
  return undefined;
}

export interface AllowedGlobal {
  readonly module: string;
  readonly name: string;
  readonly callable: (...args: unknown[]) => unknown;
}

/** Fresh stand-ins for one unpickling. */
export function numpyArrayGlobals(fail: Fail): AllowedGlobal[] {
  const ndarray = (): never => {
    throw fail('numpy.ndarray may only name the array type for _reconstruct, not be called');
  };
  const reconstruct = (...args: unknown[]): NumpyArrayPlaceholder => {
    if (args.length !== 3 || args[0] !== ndarray) throw fail('numpy _reconstruct is called with something other than (ndarray, shape, typecode)');
    const placeholder = new NumpyArrayPlaceholder(fail);
    arrays.add(placeholder);
    return placeholder;
  };
  const dtype = (...args: unknown[]): DtypePlaceholder => {
    const code = pickleText(args[0]);
    const known = code === undefined ? undefined : DTYPE_CODES[code.replace(/^[<>|=]/, '')];
    if (code === undefined || known === undefined)
      throw fail(`numpy dtype ${code === undefined ? '(not a string)' : `'${code.slice(0, 16)}'`} is not one of ${Object.keys(DTYPE_CODES).join(', ')}`);
    const placeholder = new DtypePlaceholder(code, known.dtype, known.itemSize, fail);
    if (code.startsWith('>') && known.itemSize > 1) placeholder.littleEndianOrSingleByte = false;
    return placeholder;
  };
  const fromBuffer = (...args: unknown[]): NumpyArrayPlaceholder => {
    if (args.length !== 4) throw fail('numpy _frombuffer is called with something other than (buffer, dtype, shape, order)');
    const placeholder = new NumpyArrayPlaceholder(fail);
    arrays.add(placeholder);
    placeholder.fill(args[2], args[1], pickleText(args[3]) ?? '?', args[0]);
    return placeholder;
  };
  // Python 3 at protocol 2 has no bytes opcode: it pickles bytes as _codecs.encode(text, 'latin1').
  const encode = (...args: unknown[]): Uint8Array => {
    const [text, encoding] = args;
    if (args.length !== 2 || typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
      throw fail("_codecs.encode is called with something other than (str, 'latin1')");
    }
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) throw fail('_codecs.encode gets a character outside latin-1');
      out[i] = code;
    }
    return out;
  };
  return [
    { module: '_codecs', name: 'encode', callable: encode },
    { module: 'numpy', name: 'ndarray', callable: ndarray },
    { module: 'numpy', name: 'dtype', callable: dtype },
    { module: 'numpy.core.multiarray', name: '_reconstruct', callable: reconstruct },
    { module: 'numpy._core.multiarray', name: '_reconstruct', callable: reconstruct },
    { module: 'numpy.core.numeric', name: '_frombuffer', callable: fromBuffer },
    { module: 'numpy._core.numeric', name: '_frombuffer', callable: fromBuffer },
  ];
}
