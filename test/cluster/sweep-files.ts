/** The 18-point sweep: three chips x two cost profiles x three neurons-per-core limits (some do not fit). */
export const SWEEP_18 = {
  models: ['bundled'],
  chips: ['loihi', 'loihi2', 'tianjic'],
  profiles: ['davies2018', 'sanafe'],
  overrides: [{}, { 'core.maxNeurons': 256 }, { 'core.maxNeurons': 64 }],
  limit: 50,
};

/** A float32 .npy of `count` N-MNIST-shaped frames [2, 34, 34] (event counts 0..2), for cnn_sinabs.nir; unlabelled. */
export function sinabsFrames(count: number): Buffer {
  const values = new Float32Array(count * 2 * 34 * 34);
  let state = 7;
  for (let i = 0; i < values.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    values[i] = (state >>> 16) % 3;
  }
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${count}, 2, 34, 34), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(values.buffer)]);
}
