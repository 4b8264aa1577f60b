;; The float reference's 2-D convolution of one sample with 128-bit SIMD, output-stationary: conv2d-wasm.ts lists,
;; for every output position, the nonzero inputs of its receptive field (their weight rows and values) in the order
;; conv2d.ts's conv2dSample adds them (input channel, then input position), cut into chunks of input channels whose
;; rows of 16 output channels fit the L1 cache; this kernel adds those rows' weights into float64 accumulators held
;; in registers, 16 output channels at a time (between chunks they wait in `partial`), and rounds each sum once to
;; float32.
;; Every accumulator element sees the same float64 operations in the same order as in conv2dSample, so the outputs
;; are bit for bit those of the TypeScript loop (test/models/reference-wasm.test.ts pins them). Weights are stored
;; as float32 (promoting one to float64 is exact), which halves the bytes streamed per added row.
;; Assembled into conv2d-binary.ts by `npm run build:wasm`. Pointers are byte offsets.
(module
  (import "env" "memory" (memory 1))

  ;; weights: f32 [rows][outChannels]; bias: f32 [outChannels], or 0 for none; rowStart: i32 [chunks * outPlane + 1],
  ;; the entries of chunk c at output position p are [rowStart[c*outPlane + p], the next); rows: i32 [entries], the byte address of each
  ;; entry's weight row; values: f32 [entries], each entry's input value; output: f32 [outChannels][outPlane];
  ;; partial: f64 [outPlane][16], scratch.
  ;; binary != 0 says every value is 1: then a row is added as it is (1 * w is w exactly, so no bit changes).
  (func (export "conv2dGather")
    (param $weights i32) (param $bias i32) (param $rowStart i32) (param $rows i32) (param $values i32)
    (param $output i32) (param $outPlane i32) (param $outChannels i32) (param $binary i32) (param $chunks i32) (param $partial i32)
    (local $co i32) (local $p i32) (local $e i32) (local $end i32) (local $w i32) (local $dst i32) (local $blocks i32)
    (local $chunk i32) (local $last i32) (local $slot i32) (local $at i32)
    (local $pairs i32) (local $vv v128) (local $b v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $s f64)
    (local.set $blocks (i32.and (local.get $outChannels) (i32.const -16)))
    (local.set $pairs (i32.and (local.get $outChannels) (i32.const -2)))
    ;; Blocks of 16 output channels: eight accumulators of two lanes.
    (local.set $co (i32.const 0))
    (block $blocksDone
      (loop $blockLoop
        (br_if $blocksDone (i32.ge_u (local.get $co) (local.get $blocks)))
        (local.set $chunk (i32.const 0))
        (block $chunksDone
          (loop $chunkLoop
        (br_if $chunksDone (i32.ge_u (local.get $chunk) (local.get $chunks)))
        (local.set $last (i32.eq (local.get $chunk) (i32.sub (local.get $chunks) (i32.const 1))))
        (local.set $p (i32.const 0))
        (block $positionsDone
          (loop $positions
            (br_if $positionsDone (i32.ge_u (local.get $p) (local.get $outPlane)))
            (local.set $at (i32.add (local.get $rowStart) (i32.shl (i32.add (i32.mul (local.get $chunk) (local.get $outPlane)) (local.get $p)) (i32.const 2))))
            (local.set $e (i32.load (local.get $at)))
            (local.set $end (i32.load offset=4 (local.get $at)))
            (local.set $slot (i32.add (local.get $partial) (i32.shl (local.get $p) (i32.const 7))))
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
                (local.set $a5 (v128.load offset=80 (local.get $slot)))
                (local.set $a6 (v128.load offset=96 (local.get $slot)))
                (local.set $a7 (v128.load offset=112 (local.get $slot))))
            (else (if (local.get $bias)
              (then
                (local.set $w (i32.add (local.get $bias) (i32.shl (local.get $co) (i32.const 2))))
                (local.set $a0 (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $w))))
                (local.set $a1 (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $w))))
                (local.set $a2 (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $w))))
                (local.set $a3 (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $w))))
                (local.set $a4 (f64x2.promote_low_f32x4 (v128.load64_zero offset=32 (local.get $w))))
                (local.set $a5 (f64x2.promote_low_f32x4 (v128.load64_zero offset=40 (local.get $w))))
                (local.set $a6 (f64x2.promote_low_f32x4 (v128.load64_zero offset=48 (local.get $w))))
                (local.set $a7 (f64x2.promote_low_f32x4 (v128.load64_zero offset=56 (local.get $w)))))
              (else
                (local.set $a0 (v128.const i64x2 0 0))
                (local.set $a1 (v128.const i64x2 0 0))
                (local.set $a2 (v128.const i64x2 0 0))
                (local.set $a3 (v128.const i64x2 0 0))
                (local.set $a4 (v128.const i64x2 0 0))
                (local.set $a5 (v128.const i64x2 0 0))
                (local.set $a6 (v128.const i64x2 0 0))
                (local.set $a7 (v128.const i64x2 0 0))))))
            (if (local.get $binary)
              (then
                (block $addDone
                  (loop $add
                    (br_if $addDone (i32.ge_u (local.get $e) (local.get $end)))
                    (local.set $w (i32.add (i32.load (i32.add (local.get $rows) (i32.shl (local.get $e) (i32.const 2)))) (i32.shl (local.get $co) (i32.const 2))))
                    (local.set $a0 (f64x2.add (local.get $a0) (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $w)))))
                    (local.set $a1 (f64x2.add (local.get $a1) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $w)))))
                    (local.set $a2 (f64x2.add (local.get $a2) (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $w)))))
                    (local.set $a3 (f64x2.add (local.get $a3) (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $w)))))
                    (local.set $a4 (f64x2.add (local.get $a4) (f64x2.promote_low_f32x4 (v128.load64_zero offset=32 (local.get $w)))))
                    (local.set $a5 (f64x2.add (local.get $a5) (f64x2.promote_low_f32x4 (v128.load64_zero offset=40 (local.get $w)))))
                    (local.set $a6 (f64x2.add (local.get $a6) (f64x2.promote_low_f32x4 (v128.load64_zero offset=48 (local.get $w)))))
                    (local.set $a7 (f64x2.add (local.get $a7) (f64x2.promote_low_f32x4 (v128.load64_zero offset=56 (local.get $w)))))
                    (local.set $e (i32.add (local.get $e) (i32.const 1)))
                    (br $add))))
              (else
                (block $madDone
                  (loop $mad
                    (br_if $madDone (i32.ge_u (local.get $e) (local.get $end)))
                    (local.set $w (i32.add (i32.load (i32.add (local.get $rows) (i32.shl (local.get $e) (i32.const 2)))) (i32.shl (local.get $co) (i32.const 2))))
                    (local.set $vv (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $values) (i32.shl (local.get $e) (i32.const 2)))))))
                    (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $w))))))
                    (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $w))))))
                    (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $w))))))
                    (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $w))))))
                    (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=32 (local.get $w))))))
                    (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=40 (local.get $w))))))
                    (local.set $a6 (f64x2.add (local.get $a6) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=48 (local.get $w))))))
                    (local.set $a7 (f64x2.add (local.get $a7) (f64x2.mul (local.get $vv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=56 (local.get $w))))))
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
                (v128.store offset=96 (local.get $slot) (local.get $a6))
                (v128.store offset=112 (local.get $slot) (local.get $a7))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $positions)))
            ;; output[co + k][p] = f32(acc lane k): round to nearest even, as a Float32Array store of a double.
            (local.set $dst (i32.add (local.get $output) (i32.shl (i32.add (i32.mul (local.get $co) (local.get $outPlane)) (local.get $p)) (i32.const 2))))
            (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a0))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
            (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a1))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
            (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a2))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
            (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a3))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
            (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a4))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
            (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a5))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
            (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a6))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 3))))
            (call $store2 (local.get $dst) (local.get $outPlane) (local.get $a7))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $positions)))
        (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
        (br $chunkLoop)))
        (local.set $co (i32.add (local.get $co) (i32.const 16)))
        (br $blockLoop)))
    ;; The channels past the last full block, two at a time: the same operations on one accumulator.
    (block $pairsDone
      (loop $pairLoop
        (br_if $pairsDone (i32.ge_u (local.get $co) (local.get $pairs)))
        (local.set $p (i32.const 0))
        (block $pairPositionsDone
          (loop $pairPositions
            (br_if $pairPositionsDone (i32.ge_u (local.get $p) (local.get $outPlane)))
            (local.set $a0
              (if (result v128) (local.get $bias)
                (then (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $bias) (i32.shl (local.get $co) (i32.const 2))))))
                (else (v128.const i64x2 0 0))))
            (local.set $chunk (i32.const 0))
            (block $pairChunksDone
              (loop $pairChunks
            (br_if $pairChunksDone (i32.ge_u (local.get $chunk) (local.get $chunks)))
            (local.set $at (i32.add (local.get $rowStart) (i32.shl (i32.add (i32.mul (local.get $chunk) (local.get $outPlane)) (local.get $p)) (i32.const 2))))
            (local.set $e (i32.load (local.get $at)))
            (local.set $end (i32.load offset=4 (local.get $at)))
            (block $pairEntriesDone
              (loop $pairEntries
                (br_if $pairEntriesDone (i32.ge_u (local.get $e) (local.get $end)))
                (local.set $w (i32.add (i32.load (i32.add (local.get $rows) (i32.shl (local.get $e) (i32.const 2)))) (i32.shl (local.get $co) (i32.const 2))))
                (local.set $b (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $w))))
                (local.set $a0
                  (f64x2.add (local.get $a0)
                    (if (result v128) (local.get $binary)
                      (then (local.get $b))
                      (else (f64x2.mul (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $values) (i32.shl (local.get $e) (i32.const 2)))))) (local.get $b))))))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $pairEntries)))
            (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
            (br $pairChunks)))
            (call $store2
              (i32.add (local.get $output) (i32.shl (i32.add (i32.mul (local.get $co) (local.get $outPlane)) (local.get $p)) (i32.const 2)))
              (local.get $outPlane) (local.get $a0))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $pairPositions)))
        (local.set $co (i32.add (local.get $co) (i32.const 2)))
        (br $pairLoop)))
    ;; An odd channel count leaves one channel: the same operations on one float64.
    (if (i32.lt_u (local.get $co) (local.get $outChannels))
      (then
        (local.set $p (i32.const 0))
        (block $lastDone
          (loop $lastPositions
            (br_if $lastDone (i32.ge_u (local.get $p) (local.get $outPlane)))
            (local.set $s
              (if (result f64) (local.get $bias)
                (then (f64.promote_f32 (f32.load (i32.add (local.get $bias) (i32.shl (local.get $co) (i32.const 2))))))
                (else (f64.const 0))))
            (local.set $chunk (i32.const 0))
            (block $lastChunksDone
              (loop $lastChunks
            (br_if $lastChunksDone (i32.ge_u (local.get $chunk) (local.get $chunks)))
            (local.set $at (i32.add (local.get $rowStart) (i32.shl (i32.add (i32.mul (local.get $chunk) (local.get $outPlane)) (local.get $p)) (i32.const 2))))
            (local.set $e (i32.load (local.get $at)))
            (local.set $end (i32.load offset=4 (local.get $at)))
            (block $lastEntriesDone
              (loop $lastEntries
                (br_if $lastEntriesDone (i32.ge_u (local.get $e) (local.get $end)))
                (local.set $s
                  (f64.add (local.get $s)
                    (f64.mul
                      (f64.promote_f32 (f32.load (i32.add (local.get $values) (i32.shl (local.get $e) (i32.const 2)))))
                      (f64.promote_f32 (f32.load (i32.add (i32.load (i32.add (local.get $rows) (i32.shl (local.get $e) (i32.const 2)))) (i32.shl (local.get $co) (i32.const 2))))))))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $lastEntries)))
            (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
            (br $lastChunks)))
            (f32.store
              (i32.add (local.get $output) (i32.shl (i32.add (i32.mul (local.get $co) (local.get $outPlane)) (local.get $p)) (i32.const 2)))
              (f32.demote_f64 (local.get $s)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $lastPositions))))))

  ;; Two accumulator lanes, channels co and co + 1, to output[co][p] at dst and output[co + 1][p] one plane later.
  (func $store2 (param $dst i32) (param $outPlane i32) (param $acc v128)
    (f32.store (local.get $dst) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc))))
    (f32.store (i32.add (local.get $dst) (i32.shl (local.get $outPlane) (i32.const 2))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc)))))
)
