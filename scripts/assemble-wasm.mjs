// wabt's text-to-binary with the features the kernels use (SIMD, bulk memory, sign extension, shared memory).
// The module is validated by V8's own validator: wabt 1.0.39's validate() refuses shared memories even with the
// threads feature on, though its binary writer emits them correctly.
import wabtInit from 'wabt';

export async function assembleKernels(text) {
  const wabt = await wabtInit();
  const module = wabt.parseWat('kernels.wat', text, { simd: true, bulk_memory: true, sign_extension: true, threads: true });
  const { buffer } = module.toBinary({ log: false, write_debug_names: false });
  module.destroy();
  if (!WebAssembly.validate(buffer)) {
    // Compile for the message: it names the function and the byte offset of the fault.
    new WebAssembly.Module(buffer);
  }
  return buffer;
}
