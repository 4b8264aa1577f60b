// wabt's text-to-binary with the features the kernels use (SIMD, bulk memory, sign extension).
import wabtInit from 'wabt';

export async function assembleKernels(text) {
  const wabt = await wabtInit();
  const module = wabt.parseWat('kernels.wat', text, { simd: true, bulk_memory: true, sign_extension: true });
  module.validate();
  const { buffer } = module.toBinary({ log: false, write_debug_names: false });
  module.destroy();
  return buffer;
}
