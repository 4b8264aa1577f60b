import protobuf from 'protobufjs';
import type { Conv2dGeometry } from './conv2d.js';

/**
 * The few messages of onnx.proto (onnx/onnx, field numbers as published) that one Conv model needs: a graph of one
 * node, its weight and bias as initializers, its input and output with the batch left free.
 */
const ONNX_SCHEMA = {
  nested: {
    ModelProto: {
      fields: {
        irVersion: { id: 1, type: 'int64' },
        producerName: { id: 2, type: 'string' },
        graph: { id: 7, type: 'GraphProto' },
        opsetImport: { id: 8, type: 'OperatorSetIdProto', rule: 'repeated' },
      },
    },
    OperatorSetIdProto: { fields: { domain: { id: 1, type: 'string' }, version: { id: 2, type: 'int64' } } },
    GraphProto: {
      fields: {
        node: { id: 1, type: 'NodeProto', rule: 'repeated' },
        name: { id: 2, type: 'string' },
        initializer: { id: 5, type: 'TensorProto', rule: 'repeated' },
        input: { id: 11, type: 'ValueInfoProto', rule: 'repeated' },
        output: { id: 12, type: 'ValueInfoProto', rule: 'repeated' },
      },
    },
    NodeProto: {
      fields: {
        input: { id: 1, type: 'string', rule: 'repeated' },
        output: { id: 2, type: 'string', rule: 'repeated' },
        name: { id: 3, type: 'string' },
        opType: { id: 4, type: 'string' },
        attribute: { id: 5, type: 'AttributeProto', rule: 'repeated' },
      },
    },
    AttributeProto: {
      fields: {
        name: { id: 1, type: 'string' },
        i: { id: 3, type: 'int64' },
        ints: { id: 8, type: 'int64', rule: 'repeated' },
        type: { id: 20, type: 'int32' },
      },
    },
    TensorProto: {
      fields: {
        dims: { id: 1, type: 'int64', rule: 'repeated' },
        dataType: { id: 2, type: 'int32' },
        name: { id: 8, type: 'string' },
        rawData: { id: 9, type: 'bytes' },
      },
    },
    ValueInfoProto: { fields: { name: { id: 1, type: 'string' }, type: { id: 2, type: 'TypeProto' } } },
    TypeProto: { fields: { tensorType: { id: 1, type: 'TensorTypeProto' } } },
    TensorTypeProto: { fields: { elemType: { id: 1, type: 'int32' }, shape: { id: 2, type: 'TensorShapeProto' } } },
    TensorShapeProto: { fields: { dim: { id: 1, type: 'Dimension', rule: 'repeated' } } },
    Dimension: { fields: { dimValue: { id: 1, type: 'int64' }, dimParam: { id: 2, type: 'string' } } },
  },
};

/** ONNX's codes: TensorProto.FLOAT, AttributeProto.INT and INTS; IR version 7 goes with opset 13. */
const FLOAT = 1;
const INT = 2;
const INTS = 7;
const IR_VERSION = 7;
const OPSET = 13;

let modelType: protobuf.Type | undefined;

/** Float32 values as the little-endian bytes ONNX's raw_data holds. */
function rawFloats(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return bytes;
}

/** A tensor type [batch, ...dims] with the batch free. */
function batchedTensor(name: string, dims: readonly number[]) {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, ...dims.map((dimValue) => ({ dimValue }))] } } } };
}

/**
 * The bytes of an ONNX model computing one conv layer: input `x` [batch, Cin, H, W] to output `y` [batch, Cout, H',
 * W'], weight [Cout, Cin, kH, kW] and bias as initializers.
 */
export function convModelBytes(weight: Float32Array, bias: Float32Array | null, g: Conv2dGeometry): Uint8Array {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('ModelProto');
  const ints = (name: string, values: number[]) => ({ name, ints: values, type: INTS });
  const initializer = [{ name: 'w', dims: [g.outChannels, g.inChannels, g.kernelHeight, g.kernelWidth], dataType: FLOAT, rawData: rawFloats(weight) }];
  if (bias) initializer.push({ name: 'b', dims: [g.outChannels], dataType: FLOAT, rawData: rawFloats(bias) });
  const model = {
    irVersion: IR_VERSION,
    producerName: 'spikechip',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'conv',
      node: [
        {
          name: 'conv',
          opType: 'Conv',
          input: bias ? ['x', 'w', 'b'] : ['x', 'w'],
          output: ['y'],
          attribute: [
            ints('kernel_shape', [g.kernelHeight, g.kernelWidth]),
            ints('strides', [g.strideY, g.strideX]),
            ints('pads', [g.padY, g.padX, g.padY, g.padX]),
            ints('dilations', [1, 1]),
            { name: 'group', i: 1, type: INT },
          ],
        },
      ],
      initializer,
      input: [batchedTensor('x', [g.inChannels, g.inHeight, g.inWidth])],
      output: [batchedTensor('y', [g.outChannels, g.outHeight, g.outWidth])],
    },
  };
  return modelType.encode(modelType.fromObject(model)).finish();
}
