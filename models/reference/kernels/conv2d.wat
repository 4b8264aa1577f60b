;; The float reference's 2-D convolution of one sample with 128-bit SIMD: conv2d.ts's conv2dSample, the same
;; float64 operations on every accumulator element in the same order (two output channels per vector), so the
;; outputs are bit for bit those of the TypeScript loop (test/models/reference-wasm.test.ts pins them).
;; Assembled into conv2d-binary.ts by `npm run build:wasm`. Pointers are byte offsets; arrays as in conv2d.ts.
(module
  (import "env" "memory" (memory 1))

  ;; acc[p][co] = bias[co] (0 without one); for each input value v != 0 at (ci, p), for each (outBase, tapBase)
  ;; tap of p: acc[outBase + co] += v * w[ci][tapBase + co] over co. A spike (v = 1) adds the weight column
  ;; itself: 1 * w is w exactly, so skipping the multiply changes no bit. Then output[co][p] = f32(acc[p][co]).
  (func (export "conv2dSample")
    (param $input i32) (param $weights i32) (param $start i32) (param $outBase i32) (param $tapBase i32)
    (param $bias i32) (param $acc i32) (param $output i32)
    (param $inChannels i32) (param $inPlane i32) (param $outPlane i32) (param $outChannels i32) (param $channelWeights i32)
    (local $p i32) (local $co i32) (local $ci i32) (local $j i32) (local $end i32) (local $a i32) (local $w i32)
    (local $row i32) (local $plane i32) (local $weightBase i32) (local $pairs i32) (local $v f32) (local $vv v128)
    (local.set $pairs (i32.and (local.get $outChannels) (i32.const -2)))
    ;; The accumulator starts at the bias.
    (local.set $p (i32.const 0))
    (block $initDone
      (loop $init
        (br_if $initDone (i32.ge_u (local.get $p) (local.get $outPlane)))
        (local.set $row (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $p) (local.get $outChannels)) (i32.const 3))))
        (local.set $co (i32.const 0))
        (block $rowDone
          (loop $fill
            (br_if $rowDone (i32.ge_u (local.get $co) (local.get $outChannels)))
            (f64.store (i32.add (local.get $row) (i32.shl (local.get $co) (i32.const 3)))
              (if (result f64) (local.get $bias)
                (then (f64.promote_f32 (f32.load (i32.add (local.get $bias) (i32.shl (local.get $co) (i32.const 2))))))
                (else (f64.const 0))))
            (local.set $co (i32.add (local.get $co) (i32.const 1)))
            (br $fill)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $init)))
    (local.set $ci (i32.const 0))
    (block $channelsDone
      (loop $channels
        (br_if $channelsDone (i32.ge_u (local.get $ci) (local.get $inChannels)))
        (local.set $plane (i32.add (local.get $input) (i32.shl (i32.mul (local.get $ci) (local.get $inPlane)) (i32.const 2))))
        (local.set $weightBase (i32.add (local.get $weights) (i32.shl (i32.mul (local.get $ci) (local.get $channelWeights)) (i32.const 3))))
        (local.set $p (i32.const 0))
        (block $positionsDone
          (loop $positions
            (br_if $positionsDone (i32.ge_u (local.get $p) (local.get $inPlane)))
            (local.set $v (f32.load (i32.add (local.get $plane) (i32.shl (local.get $p) (i32.const 2)))))
            (if (f32.ne (local.get $v) (f32.const 0))
              (then
                (local.set $vv (f64x2.splat (f64.promote_f32 (local.get $v))))
                (local.set $j (i32.load (i32.add (local.get $start) (i32.shl (local.get $p) (i32.const 2)))))
                (local.set $end (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $p) (i32.const 2)))))
                (block $tapsDone
                  (loop $taps
                    (br_if $tapsDone (i32.ge_u (local.get $j) (local.get $end)))
                    (local.set $a (i32.add (local.get $acc) (i32.shl (i32.load (i32.add (local.get $outBase) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 3))))
                    (local.set $w (i32.add (local.get $weightBase) (i32.shl (i32.load (i32.add (local.get $tapBase) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 3))))
                    (local.set $co (i32.const 0))
                    (if (f32.eq (local.get $v) (f32.const 1))
                      (then
                        (block $addDone
                          (loop $add
                            (br_if $addDone (i32.ge_u (local.get $co) (local.get $pairs)))
                            (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (v128.load (local.get $w))))
                            (local.set $a (i32.add (local.get $a) (i32.const 16)))
                            (local.set $w (i32.add (local.get $w) (i32.const 16)))
                            (local.set $co (i32.add (local.get $co) (i32.const 2)))
                            (br $add))))
                      (else
                        (block $madDone
                          (loop $mad
                            (br_if $madDone (i32.ge_u (local.get $co) (local.get $pairs)))
                            (v128.store (local.get $a)
                              (f64x2.add (v128.load (local.get $a)) (f64x2.mul (local.get $vv) (v128.load (local.get $w)))))
                            (local.set $a (i32.add (local.get $a) (i32.const 16)))
                            (local.set $w (i32.add (local.get $w) (i32.const 16)))
                            (local.set $co (i32.add (local.get $co) (i32.const 2)))
                            (br $mad)))))
                    ;; An odd channel count leaves one channel: the same operation on one lane.
                    (if (i32.lt_u (local.get $co) (local.get $outChannels))
                      (then
                        (f64.store (local.get $a)
                          (f64.add (f64.load (local.get $a)) (f64.mul (f64x2.extract_lane 0 (local.get $vv)) (f64.load (local.get $w)))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $taps)))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $positions)))
        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
        (br $channels)))
    ;; output[co][p] = f32(acc[p][co]): round to nearest even, as a Float32Array store of a double.
    (local.set $co (i32.const 0))
    (block $outDone
      (loop $outChannelsLoop
        (br_if $outDone (i32.ge_u (local.get $co) (local.get $outChannels)))
        (local.set $row (i32.add (local.get $output) (i32.shl (i32.mul (local.get $co) (local.get $outPlane)) (i32.const 2))))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $co) (i32.const 3))))
        (local.set $p (i32.const 0))
        (block $planeDone
          (loop $planeLoop
            (br_if $planeDone (i32.ge_u (local.get $p) (local.get $outPlane)))
            (f32.store (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 2))) (f32.demote_f64 (f64.load (local.get $a))))
            (local.set $a (i32.add (local.get $a) (i32.shl (local.get $outChannels) (i32.const 3))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $planeLoop)))
        (local.set $co (i32.add (local.get $co) (i32.const 1)))
        (br $outChannelsLoop))))
)
