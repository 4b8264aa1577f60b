;; The float reference's 2-D convolution of one sample with 128-bit SIMD, output-stationary. conv2dList lists, for
;; every output position, the nonzero inputs of its receptive field (their weight rows and values) in the order
;; conv2d.ts's conv2dSample adds them (input channel, then input position), cut into chunks of input channels whose
;; rows fit the L1 cache; conv2dGather adds those rows' weights into float64 accumulators held in registers, 8
;; output channels at a time, and rounds each sum once to float32; conv2dGatherFloat32 keeps every sum in float32,
;; 24 channels at a time (conv2dSample with a Float32Array accumulator). Between chunks the accumulators wait in `partial`.
;; Every accumulator element sees the same operations in the same order as in its TypeScript loop, so the outputs
;; are that loop's bit for bit (test/models/reference-wasm*.test.ts pin them). Weights are stored as float32
;; (promoting one to float64 is exact), laid out block by block ([outChannels / B][inChannels][kH][kW][B], B = 16
;; for float64 sums, 24 for float32 ones) so the rows one chunk of one block reads are contiguous: rows of the whole
;; layer's width, read a block at a time at a power-of-two stride, would all fall into a few L1 sets and evict each
;; other. The output channels are padded with zero weights to a multiple of B; only the real ones are written.
;; Assembled into conv2d-binary.ts by `npm run build:wasm`. Pointers are byte offsets.
(module
  (import "env" "memory" (memory 1))

  ;; weights: f32 [outChannels / 16][rows][16], blockStride bytes per block; bias: f32 [outChannels], or 0 for none;
  ;; outChannels is a multiple of 16 (conv2dGatherFloat32: of 24, in blocks of 24); rowStart: i32 [chunks * outPlane + 1], the entries of chunk c at output position
  ;; p are [rowStart[c*outPlane + p], the next); rows: i32 [entries], the byte address of each entry's weight row in
  ;; the first block; values: f32 [entries], each entry's input value; output: f32 [outChannels][outPlane], nothing
  ;; stored at or past `limit` (the padded channels); partial: f64 [outPlane][8], scratch.
  ;; binary: i32 [samples], each nonzero when every value of that sample is 1: then a row is added as it is (1 * w is
  ;; w exactly, so no bit changes). Samples: `samples` of them, sample s's rowStart, rows and values `rowStartStride`,
  ;; `entryStride` and `entryStride` bytes after sample s - 1's, its output (and limit) `outputStride` bytes, its
  ;; partial sums `partialStride` bytes; each chunk of each block is summed for every sample before the next.
  (func (export "conv2dGather")
    (param $weights i32) (param $bias i32) (param $rowStart i32) (param $rows i32) (param $values i32)
    (param $output i32) (param $outPlane i32) (param $outChannels i32) (param $binary i32) (param $chunks i32) (param $partial i32) (param $blockStride i32) (param $limit i32)
    (param $samples i32) (param $rowStartStride i32) (param $entryStride i32) (param $outputStride i32) (param $partialStride i32)
    (local $co i32) (local $p i32) (local $e i32) (local $end i32) (local $w i32) (local $dst i32)
    (local $chunk i32) (local $last i32) (local $slot i32) (local $at i32) (local $blockBase i32)
    (local $sample i32) (local $spikes i32) (local $rs i32) (local $rw i32) (local $vs i32) (local $out i32) (local $lim i32) (local $part i32)
    (local $vv v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    ;; Half blocks of 8 output channels: four accumulators of two lanes (with eight, V8 hoists an entry's loads
    ;; above its adds, runs out of registers and keeps accumulators on the stack).
    (local.set $co (i32.const 0))
    (block $blocksDone
      (loop $blockLoop
        (br_if $blocksDone (i32.ge_u (local.get $co) (local.get $outChannels)))
        ;; The block's rows, and this half's 32 bytes within each 64-byte row.
        (local.set $blockBase (i32.add (i32.mul (i32.shr_u (local.get $co) (i32.const 4)) (local.get $blockStride)) (i32.shl (i32.and (local.get $co) (i32.const 8)) (i32.const 2))))
        (local.set $chunk (i32.const 0))
        (block $chunksDone
          (loop $chunkLoop
            (br_if $chunksDone (i32.ge_u (local.get $chunk) (local.get $chunks)))
            (local.set $last (i32.eq (local.get $chunk) (i32.sub (local.get $chunks) (i32.const 1))))
            ;; Each sample's lists, sums and outputs, with this chunk's rows of this block still in the cache.
            (local.set $sample (i32.const 0))
            (block $samplesDone
              (loop $sampleLoop
            (br_if $samplesDone (i32.ge_u (local.get $sample) (local.get $samples)))
            (local.set $rs (i32.add (local.get $rowStart) (i32.mul (local.get $sample) (local.get $rowStartStride))))
            (local.set $rw (i32.add (local.get $rows) (i32.mul (local.get $sample) (local.get $entryStride))))
            (local.set $vs (i32.add (local.get $values) (i32.mul (local.get $sample) (local.get $entryStride))))
            (local.set $out (i32.add (local.get $output) (i32.mul (local.get $sample) (local.get $outputStride))))
            (local.set $lim (i32.add (local.get $limit) (i32.mul (local.get $sample) (local.get $outputStride))))
            (local.set $part (i32.add (local.get $partial) (i32.mul (local.get $sample) (local.get $partialStride))))
            (local.set $spikes (i32.load (i32.add (local.get $binary) (i32.shl (local.get $sample) (i32.const 2)))))
            (local.set $p (i32.const 0))
            (block $positionsDone
              (loop $positions
                (br_if $positionsDone (i32.ge_u (local.get $p) (local.get $outPlane)))
                (local.set $at (i32.add (local.get $rs) (i32.shl (i32.add (i32.mul (local.get $chunk) (local.get $outPlane)) (local.get $p)) (i32.const 2))))
                (local.set $e (i32.load (local.get $at)))
                (local.set $end (i32.load offset=4 (local.get $at)))
                (local.set $slot (i32.add (local.get $part) (i32.shl (local.get $p) (i32.const 6))))
                ;; Nothing to add, and neither the first chunk nor the last: the partial sums stay as they are.
                (if (i32.and (i32.eq (local.get $e) (local.get $end)) (i32.and (i32.ne (local.get $chunk) (i32.const 0)) (i32.eqz (local.get $last))))
                  (then
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $positions)))
                (if (local.get $chunk)
                  (then
                    (local.set $a0 (v128.load offset=0 (local.get $slot)))
                    (local.set $a1 (v128.load offset=16 (local.get $slot)))
                    (local.set $a2 (v128.load offset=32 (local.get $slot)))
                    (local.set $a3 (v128.load offset=48 (local.get $slot))))
                  (else (if (local.get $bias)
                    (then
                      (local.set $w (i32.add (local.get $bias) (i32.shl (local.get $co) (i32.const 2))))
                      (local.set $a0 (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $w))))
                      (local.set $a1 (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $w))))
                      (local.set $a2 (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $w))))
                      (local.set $a3 (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $w)))))
                    (else
                      (local.set $a0 (v128.const i64x2 0 0))
                      (local.set $a1 (v128.const i64x2 0 0))
                      (local.set $a2 (v128.const i64x2 0 0))
                      (local.set $a3 (v128.const i64x2 0 0))))))
                (if (local.get $spikes)
                  (then
                    (block $addDone
                      (loop $add
                        (br_if $addDone (i32.ge_u (local.get $e) (local.get $end)))
                        (local.set $w (i32.add (i32.load (i32.add (local.get $rw) (i32.shl (local.get $e) (i32.const 2)))) (local.get $blockBase)))
                        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $w)))))
                        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $w)))))
                        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $w)))))
                        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $w)))))
                        (local.set $e (i32.add (local.get $e) (i32.const 1)))
                        (br $add))))
                  (else
                    (block $madDone
                      (loop $mad
                        (br_if $madDone (i32.ge_u (local.get $e) (local.get $end)))
                        (local.set $w (i32.add (i32.load (i32.add (local.get $rw) (i32.shl (local.get $e) (i32.const 2)))) (local.get $blockBase)))
                        (local.set $vv (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $vs) (i32.shl (local.get $e) (i32.const 2)))))))
                        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $w))))))
                        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $w))))))
                        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $w))))))
                        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $w))))))
                        (local.set $e (i32.add (local.get $e) (i32.const 1)))
                        (br $mad)))))
                (if (i32.eqz (local.get $last))
                  (then
                    (v128.store offset=0 (local.get $slot) (local.get $a0))
                    (v128.store offset=16 (local.get $slot) (local.get $a1))
                    (v128.store offset=32 (local.get $slot) (local.get $a2))
                    (v128.store offset=48 (local.get $slot) (local.get $a3))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $positions)))
                ;; output[co + k][p] = f32(acc lane k), for the real channels.
                (local.set $dst (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $co) (local.get $outPlane)) (local.get $p)) (i32.const 2))))
                (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a0) (local.get $lim))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
                (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a1) (local.get $lim))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
                (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a2) (local.get $lim))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
                (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a3) (local.get $lim))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $positions)))
            (local.set $sample (i32.add (local.get $sample) (i32.const 1)))
            (br $sampleLoop)))
            (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
            (br $chunkLoop)))
        (local.set $co (i32.add (local.get $co) (i32.const 8)))
        (br $blockLoop))))

  ;; conv2dGather's float32 twin (conv2dSample in conv2d.ts with float32 sums is its specification): every sum is kept in float32,
  ;; as PyTorch keeps it, 24 output channels at a time in 6 float32x4 accumulators (with eight, V8 hoists
  ;; an entry's eight loads above its adds, runs out of registers and keeps one accumulator on the stack: half the
  ;; speed; with four, each entry waits for the last entry's adds). A spike adds its weight row (1 * w is w), any other value adds the float32 product v * w; each add
  ;; rounds to float32, in conv2dSample's order, so the outputs are that loop's bit for bit.
  ;; partial: f32 [outPlane][24].
  (func (export "conv2dGatherFloat32")
    (param $weights i32) (param $bias i32) (param $rowStart i32) (param $rows i32) (param $values i32)
    (param $output i32) (param $outPlane i32) (param $outChannels i32) (param $binary i32) (param $chunks i32) (param $partial i32) (param $blockStride i32) (param $limit i32)
    (param $samples i32) (param $rowStartStride i32) (param $entryStride i32) (param $outputStride i32) (param $partialStride i32)
    (local $co i32) (local $p i32) (local $e i32) (local $end i32) (local $w i32) (local $dst i32)
    (local $chunk i32) (local $last i32) (local $slot i32) (local $at i32) (local $blockBase i32)
    (local $sample i32) (local $spikes i32) (local $rs i32) (local $rw i32) (local $vs i32) (local $out i32) (local $lim i32) (local $part i32)
    (local $vv v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128)
    (local.set $co (i32.const 0))
    (local.set $blockBase (i32.const 0))
    (block $blocksDone
      (loop $blockLoop
        (br_if $blocksDone (i32.ge_u (local.get $co) (local.get $outChannels)))
        (local.set $chunk (i32.const 0))
        (block $chunksDone
          (loop $chunkLoop
            (br_if $chunksDone (i32.ge_u (local.get $chunk) (local.get $chunks)))
            (local.set $last (i32.eq (local.get $chunk) (i32.sub (local.get $chunks) (i32.const 1))))
            ;; Each sample's lists, sums and outputs, with this chunk's rows of this block still in the cache.
            (local.set $sample (i32.const 0))
            (block $samplesDone
              (loop $sampleLoop
            (br_if $samplesDone (i32.ge_u (local.get $sample) (local.get $samples)))
            (local.set $rs (i32.add (local.get $rowStart) (i32.mul (local.get $sample) (local.get $rowStartStride))))
            (local.set $rw (i32.add (local.get $rows) (i32.mul (local.get $sample) (local.get $entryStride))))
            (local.set $vs (i32.add (local.get $values) (i32.mul (local.get $sample) (local.get $entryStride))))
            (local.set $out (i32.add (local.get $output) (i32.mul (local.get $sample) (local.get $outputStride))))
            (local.set $lim (i32.add (local.get $limit) (i32.mul (local.get $sample) (local.get $outputStride))))
            (local.set $part (i32.add (local.get $partial) (i32.mul (local.get $sample) (local.get $partialStride))))
            (local.set $spikes (i32.load (i32.add (local.get $binary) (i32.shl (local.get $sample) (i32.const 2)))))
            (local.set $p (i32.const 0))
            (block $positionsDone
              (loop $positions
                (br_if $positionsDone (i32.ge_u (local.get $p) (local.get $outPlane)))
                (local.set $at (i32.add (local.get $rs) (i32.shl (i32.add (i32.mul (local.get $chunk) (local.get $outPlane)) (local.get $p)) (i32.const 2))))
                (local.set $e (i32.load (local.get $at)))
                (local.set $end (i32.load offset=4 (local.get $at)))
                (local.set $slot (i32.add (local.get $part) (i32.mul (local.get $p) (i32.const 96))))
                ;; Nothing to add, and neither the first chunk nor the last: the partial sums stay as they are.
                (if (i32.and (i32.eq (local.get $e) (local.get $end)) (i32.and (i32.ne (local.get $chunk) (i32.const 0)) (i32.eqz (local.get $last))))
                  (then
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $positions)))
                (if (local.get $chunk)
                  (then
                    (local.set $a0 (v128.load offset=0 (local.get $slot)))
                    (local.set $a1 (v128.load offset=16 (local.get $slot)))
                    (local.set $a2 (v128.load offset=32 (local.get $slot)))
                    (local.set $a3 (v128.load offset=48 (local.get $slot)))
                    (local.set $a4 (v128.load offset=64 (local.get $slot)))
                    (local.set $a5 (v128.load offset=80 (local.get $slot))))
                  (else (if (local.get $bias)
                    (then
                      (local.set $w (i32.add (local.get $bias) (i32.shl (local.get $co) (i32.const 2))))
                      (local.set $a0 (v128.load offset=0 (local.get $w)))
                      (local.set $a1 (v128.load offset=16 (local.get $w)))
                      (local.set $a2 (v128.load offset=32 (local.get $w)))
                      (local.set $a3 (v128.load offset=48 (local.get $w)))
                      (local.set $a4 (v128.load offset=64 (local.get $w)))
                      (local.set $a5 (v128.load offset=80 (local.get $w))))
                    (else
                      (local.set $a0 (v128.const i32x4 0 0 0 0))
                      (local.set $a1 (v128.const i32x4 0 0 0 0))
                      (local.set $a2 (v128.const i32x4 0 0 0 0))
                      (local.set $a3 (v128.const i32x4 0 0 0 0))
                      (local.set $a4 (v128.const i32x4 0 0 0 0))
                      (local.set $a5 (v128.const i32x4 0 0 0 0))))))
                (if (local.get $spikes)
                  (then
                    (block $addDone
                      (loop $add
                        (br_if $addDone (i32.ge_u (local.get $e) (local.get $end)))
                        (local.set $w (i32.add (i32.load (i32.add (local.get $rw) (i32.shl (local.get $e) (i32.const 2)))) (local.get $blockBase)))
                        (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 (local.get $w))))
                        (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $w))))
                        (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $w))))
                        (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $w))))
                        (local.set $a4 (f32x4.add (local.get $a4) (v128.load offset=64 (local.get $w))))
                        (local.set $a5 (f32x4.add (local.get $a5) (v128.load offset=80 (local.get $w))))
                        (local.set $e (i32.add (local.get $e) (i32.const 1)))
                        (br $add))))
                  (else
                    (block $madDone
                      (loop $mad
                        (br_if $madDone (i32.ge_u (local.get $e) (local.get $end)))
                        (local.set $w (i32.add (i32.load (i32.add (local.get $rw) (i32.shl (local.get $e) (i32.const 2)))) (local.get $blockBase)))
                        (local.set $vv (v128.load32_splat (i32.add (local.get $vs) (i32.shl (local.get $e) (i32.const 2)))))
                        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $vv) (v128.load offset=0 (local.get $w)))))
                        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $vv) (v128.load offset=16 (local.get $w)))))
                        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $vv) (v128.load offset=32 (local.get $w)))))
                        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $vv) (v128.load offset=48 (local.get $w)))))
                        (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $vv) (v128.load offset=64 (local.get $w)))))
                        (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $vv) (v128.load offset=80 (local.get $w)))))
                        (local.set $e (i32.add (local.get $e) (i32.const 1)))
                        (br $mad)))))
                (if (i32.eqz (local.get $last))
                  (then
                    (v128.store offset=0 (local.get $slot) (local.get $a0))
                    (v128.store offset=16 (local.get $slot) (local.get $a1))
                    (v128.store offset=32 (local.get $slot) (local.get $a2))
                    (v128.store offset=48 (local.get $slot) (local.get $a3))
                    (v128.store offset=64 (local.get $slot) (local.get $a4))
                    (v128.store offset=80 (local.get $slot) (local.get $a5))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $positions)))
                ;; output[co + k][p] = lane k of the accumulators, four channels per accumulator.
                (local.set $dst (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $co) (local.get $outPlane)) (local.get $p)) (i32.const 2))))
                (call $store4 (local.get $dst) (local.get $outPlane) (local.get $a0) (local.get $lim))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 4))))
                (call $store4 (local.get $dst) (local.get $outPlane) (local.get $a1) (local.get $lim))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 4))))
                (call $store4 (local.get $dst) (local.get $outPlane) (local.get $a2) (local.get $lim))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 4))))
                (call $store4 (local.get $dst) (local.get $outPlane) (local.get $a3) (local.get $lim))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 4))))
                (call $store4 (local.get $dst) (local.get $outPlane) (local.get $a4) (local.get $lim))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 4))))
                (call $store4 (local.get $dst) (local.get $outPlane) (local.get $a5) (local.get $lim))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $positions)))
            (local.set $sample (i32.add (local.get $sample) (i32.const 1)))
            (br $sampleLoop)))
            (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
            (br $chunkLoop)))
        (local.set $co (i32.add (local.get $co) (i32.const 24)))
        (local.set $blockBase (i32.add (local.get $blockBase) (local.get $blockStride)))
        (br $blockLoop))))


  ;; Four float32 lanes, channels co to co + 3, to output[co + k][p]: dst is output[co][p], channels one plane apart;
  ;; a lane whose address reaches `limit` (a padded channel past the real ones) is not stored.
  (func $store4 (param $dst i32) (param $outPlane i32) (param $acc v128) (param $limit i32)
    (local $step i32)
    (local.set $step (i32.shl (local.get $outPlane) (i32.const 2)))
    (call $store (local.get $dst) (f32x4.extract_lane 0 (local.get $acc)) (local.get $limit))
    (call $store (i32.add (local.get $dst) (local.get $step)) (f32x4.extract_lane 1 (local.get $acc)) (local.get $limit))
    (call $store (i32.add (local.get $dst) (i32.shl (local.get $step) (i32.const 1))) (f32x4.extract_lane 2 (local.get $acc)) (local.get $limit))
    (call $store (i32.add (local.get $dst) (i32.mul (local.get $step) (i32.const 3))) (f32x4.extract_lane 3 (local.get $acc)) (local.get $limit)))

  ;; Two accumulator lanes, channels co and co + 1, to output[co][p] at dst and output[co + 1][p] one plane later,
  ;; each rounded to float32 (to nearest even, as a Float32Array store of a double); none at or past `limit`.
  (func $store2 (param $dst i32) (param $outPlane i32) (param $acc v128) (param $limit i32)
    (call $store (local.get $dst) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc))) (local.get $limit))
    (call $store (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 2))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc))) (local.get $limit)))

  (func $store (param $at i32) (param $value f32) (param $limit i32)
    (if (i32.lt_u (local.get $at) (local.get $limit)) (then (f32.store (local.get $at) (local.get $value)))))

  ;; conv2dList: the lists conv2dGather reads, for the sample at `input` ([inChannels][inPlane] f32): each chunk's
  ;; output position's entries (its nonzero inputs' weight rows and values) in conv2dSample's order (input channel,
  ;; then input position). Pass 1 finds the nonzero inputs (four at a time, without branching on them) and
  ;; counts them per chunk and input position; each output position's count is then the sum of the counts of the
  ;; input positions its taps read, and a running sum turns the counts into rowStart; pass 2 writes the entries.
  ;; start: i32 [inPlane + 1], each input position's range of (output position, tap) pairs in tapPosition and
  ;; tapByte (the byte offset of the tap's row within an input channel's rows); nonzero: i32 [inChannels * inPlane + 4],
  ;; channelEnd: i32 [inChannels], perInput: i32 [chunks * inPlane] and cursor: i32 [chunks * outPlane], scratch.
  ;; Returns 1 when every nonzero input is 1 (the gather may then add rows without multiplying), else 0.
  (func (export "conv2dList")
    (param $input i32) (param $inChannels i32) (param $inPlane i32) (param $outPlane i32) (param $chunkChannels i32) (param $chunks i32)
    (param $start i32) (param $tapPosition i32) (param $tapByte i32) (param $weights i32) (param $channelBytes i32)
    (param $rowStart i32) (param $cursor i32) (param $rows i32) (param $values i32) (param $nonzero i32) (param $channelEnd i32)
    (param $perInput i32)
    (result i32)
    (local $ci i32) (local $q i32) (local $plane i32) (local $slots i32) (local $count i32) (local $binary i32)
    (local $v f32) (local $j i32) (local $jEnd i32) (local $slot i32) (local $k i32) (local $end i32) (local $row i32) (local $e i32)
    (local $slotCount i32) (local $counts i32) (local $n i32) (local $chunk i32)
    (local $vectors i32) (local $vec v128) (local $live v128) (local $mask i32) (local $bit i32) (local $graded i32)
    (local.set $binary (i32.const 1))
    (local.set $slotCount (i32.mul (local.get $chunks) (local.get $outPlane)))
    (memory.fill (local.get $rowStart) (i32.const 0) (i32.shl (i32.add (local.get $slotCount) (i32.const 1)) (i32.const 2)))
    (memory.fill (local.get $perInput) (i32.const 0) (i32.shl (i32.mul (local.get $chunks) (local.get $inPlane)) (i32.const 2)))
    (block $channelsDone
      (loop $channels
        (br_if $channelsDone (i32.ge_u (local.get $ci) (local.get $inChannels)))
        (local.set $plane (i32.add (local.get $input) (i32.shl (i32.mul (local.get $ci) (local.get $inPlane)) (i32.const 2))))
        (local.set $counts (i32.add (local.get $perInput)
          (i32.shl (i32.mul (i32.div_u (local.get $ci) (local.get $chunkChannels)) (local.get $inPlane)) (i32.const 2))))
        ;; Four inputs at a time without a branch on their values (a spike train's zeros and ones fall at random, so a
        ;; branch on each would be mispredicted often): every position is written to the list and kept by counting
        ;; it only when nonzero; its chunk's count at that position grows by the same bit.
        (local.set $q (i32.const 0))
        (local.set $vectors (i32.and (local.get $inPlane) (i32.const -4)))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.ge_u (local.get $q) (local.get $vectors)))
                (local.set $vec (v128.load (i32.add (local.get $plane) (i32.shl (local.get $q) (i32.const 2)))))
                (local.set $live (f32x4.ne (local.get $vec) (v128.const f32x4 0 0 0 0)))
                (local.set $mask (i32x4.bitmask (local.get $live)))
                (local.set $graded (i32.or (local.get $graded) (v128.any_true (v128.and (local.get $live) (f32x4.ne (local.get $vec) (v128.const f32x4 1 1 1 1))))))
                (local.set $slot (i32.add (local.get $counts) (i32.shl (local.get $q) (i32.const 2))))
                (local.set $bit (i32.and (i32.shr_u (local.get $mask) (i32.const 0)) (i32.const 1)))
                (i32.store (i32.add (local.get $nonzero) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $q) (i32.const 0)))
                (local.set $count (i32.add (local.get $count) (local.get $bit)))
                (i32.store offset=0 (local.get $slot) (i32.add (i32.load offset=0 (local.get $slot)) (local.get $bit)))
                (local.set $bit (i32.and (i32.shr_u (local.get $mask) (i32.const 1)) (i32.const 1)))
                (i32.store (i32.add (local.get $nonzero) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $q) (i32.const 1)))
                (local.set $count (i32.add (local.get $count) (local.get $bit)))
                (i32.store offset=4 (local.get $slot) (i32.add (i32.load offset=4 (local.get $slot)) (local.get $bit)))
                (local.set $bit (i32.and (i32.shr_u (local.get $mask) (i32.const 2)) (i32.const 1)))
                (i32.store (i32.add (local.get $nonzero) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $q) (i32.const 2)))
                (local.set $count (i32.add (local.get $count) (local.get $bit)))
                (i32.store offset=8 (local.get $slot) (i32.add (i32.load offset=8 (local.get $slot)) (local.get $bit)))
                (local.set $bit (i32.and (i32.shr_u (local.get $mask) (i32.const 3)) (i32.const 1)))
                (i32.store (i32.add (local.get $nonzero) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $q) (i32.const 3)))
                (local.set $count (i32.add (local.get $count) (local.get $bit)))
                (i32.store offset=12 (local.get $slot) (i32.add (i32.load offset=12 (local.get $slot)) (local.get $bit)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $quads)))
        (block $positionsDone
          (loop $positions
            (br_if $positionsDone (i32.ge_u (local.get $q) (local.get $inPlane)))
            (local.set $v (f32.load (i32.add (local.get $plane) (i32.shl (local.get $q) (i32.const 2)))))
            (if (f32.ne (local.get $v) (f32.const 0))
              (then
                (if (f32.ne (local.get $v) (f32.const 1)) (then (local.set $binary (i32.const 0))))
                (i32.store (i32.add (local.get $nonzero) (i32.shl (local.get $count) (i32.const 2))) (local.get $q))
                (local.set $count (i32.add (local.get $count) (i32.const 1)))
                (local.set $slot (i32.add (local.get $counts) (i32.shl (local.get $q) (i32.const 2))))
                (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (i32.const 1)))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $positions)))
        (i32.store (i32.add (local.get $channelEnd) (i32.shl (local.get $ci) (i32.const 2))) (local.get $count))
        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
        (br $channels)))
    (if (local.get $graded) (then (local.set $binary (i32.const 0))))
    ;; Each chunk's output position's count: the counts of the input positions that reach it, one tap each.
    (block $chunksDone
      (loop $chunkLoop
        (br_if $chunksDone (i32.ge_u (local.get $chunk) (local.get $chunks)))
        (local.set $counts (i32.add (local.get $perInput) (i32.shl (i32.mul (local.get $chunk) (local.get $inPlane)) (i32.const 2))))
        (local.set $slots (i32.add (i32.mul (local.get $chunk) (local.get $outPlane)) (i32.const 1)))
        (local.set $q (i32.const 0))
        (block $inputsDone
          (loop $inputs
            (br_if $inputsDone (i32.ge_u (local.get $q) (local.get $inPlane)))
            (local.set $n (i32.load (i32.add (local.get $counts) (i32.shl (local.get $q) (i32.const 2)))))
            (if (local.get $n)
              (then
                (local.set $j (i32.load (i32.add (local.get $start) (i32.shl (local.get $q) (i32.const 2)))))
                (local.set $jEnd (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $q) (i32.const 2)))))
                (block $tapsDone
                  (loop $taps
                    (br_if $tapsDone (i32.ge_u (local.get $j) (local.get $jEnd)))
                    (local.set $slot (i32.add (local.get $rowStart)
                      (i32.shl (i32.add (local.get $slots) (i32.load (i32.add (local.get $tapPosition) (i32.shl (local.get $j) (i32.const 2))))) (i32.const 2))))
                    (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (local.get $n)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $taps)))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $inputs)))
        (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
        (br $chunkLoop)))
    ;; rowStart[slot + 1] += rowStart[slot]; each slot's cursor starts at its rowStart.
    (local.set $slot (i32.const 0))
    (block $sumsDone
      (loop $sums
        (br_if $sumsDone (i32.ge_u (local.get $slot) (local.get $slotCount)))
        (local.set $e (i32.load (i32.add (local.get $rowStart) (i32.shl (local.get $slot) (i32.const 2)))))
        (i32.store offset=4 (i32.add (local.get $rowStart) (i32.shl (local.get $slot) (i32.const 2)))
          (i32.add (i32.load offset=4 (i32.add (local.get $rowStart) (i32.shl (local.get $slot) (i32.const 2)))) (local.get $e)))
        (i32.store (i32.add (local.get $cursor) (i32.shl (local.get $slot) (i32.const 2))) (local.get $e))
        (local.set $slot (i32.add (local.get $slot) (i32.const 1)))
        (br $sums)))
    ;; Pass 2, channel by channel.
    (local.set $ci (i32.const 0))
    (block $channels2Done
      (loop $channels2
        (br_if $channels2Done (i32.ge_u (local.get $ci) (local.get $inChannels)))
        (local.set $end (i32.load (i32.add (local.get $channelEnd) (i32.shl (local.get $ci) (i32.const 2)))))
        (local.set $plane (i32.add (local.get $input) (i32.shl (i32.mul (local.get $ci) (local.get $inPlane)) (i32.const 2))))
        (local.set $slots (i32.mul (i32.div_u (local.get $ci) (local.get $chunkChannels)) (local.get $outPlane)))
        (local.set $row (i32.add (local.get $weights) (i32.mul (local.get $ci) (local.get $channelBytes))))
        (block $nonzeroDone
          (loop $nonzeroLoop
            (br_if $nonzeroDone (i32.ge_u (local.get $k) (local.get $end)))
            (local.set $q (i32.load (i32.add (local.get $nonzero) (i32.shl (local.get $k) (i32.const 2)))))
            (local.set $v (f32.load (i32.add (local.get $plane) (i32.shl (local.get $q) (i32.const 2)))))
            (local.set $j (i32.load (i32.add (local.get $start) (i32.shl (local.get $q) (i32.const 2)))))
            (local.set $jEnd (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $q) (i32.const 2)))))
            (block $entriesDone
              (loop $entries
                (br_if $entriesDone (i32.ge_u (local.get $j) (local.get $jEnd)))
                (local.set $slot (i32.add (local.get $cursor)
                  (i32.shl (i32.add (local.get $slots) (i32.load (i32.add (local.get $tapPosition) (i32.shl (local.get $j) (i32.const 2))))) (i32.const 2))))
                (local.set $e (i32.load (local.get $slot)))
                (i32.store (local.get $slot) (i32.add (local.get $e) (i32.const 1)))
                (i32.store (i32.add (local.get $rows) (i32.shl (local.get $e) (i32.const 2)))
                  (i32.add (local.get $row) (i32.load (i32.add (local.get $tapByte) (i32.shl (local.get $j) (i32.const 2))))))
                ;; Spikes need no values: the gather adds their rows as they are.
                (if (i32.eqz (local.get $binary)) (then (f32.store (i32.add (local.get $values) (i32.shl (local.get $e) (i32.const 2))) (local.get $v))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $entries)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $nonzeroLoop)))
        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
        (br $channels2)))
    (local.get $binary))
)
