;; The float reference's element-wise stages with 128-bit SIMD, on the arrays the executor keeps in one WebAssembly
;; memory (models/reference/arena.ts): LIF charge and fire, the norms' affine maps, pooling and the residual add.
;; Each function does the float32 operations of its TypeScript twin in kernels/ (lif.ts, norm.ts, pool.ts) in the
;; same order, so the outputs are those loops' bit for bit (test/models/reference-elementwise.test.ts pins them).
;; The TypeScript loops compute in float64 and store to a Float32Array; one float64 add, subtract, multiply or
;; divide of two float32 values rounded to float32 is the float32 operation, so the lanes here use float32.
;; Assembled into elementwise-binary.ts by `npm run build:wasm`. Pointers are byte offsets.
(module
  (import "env" "memory" (memory 1))

  ;; lifCharge: u[i] = f32(u[i] * decay) + x[i] for i < count (decay a float32 value).
  (func (export "lifCharge") (param $u i32) (param $x i32) (param $count i32) (param $decay f32)
    (local $i i32) (local $vectors i32) (local $d v128) (local $at i32)
    (local.set $d (f32x4.splat (local.get $decay)))
    (local.set $vectors (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $quads
        (br_if $done (i32.ge_u (local.get $i) (local.get $vectors)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $u) (local.get $at))
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $u) (local.get $at))) (local.get $d))
            (v128.load (i32.add (local.get $x) (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $u) (local.get $at))
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $u) (local.get $at))) (local.get $decay))
            (f32.load (i32.add (local.get $x) (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; lifFire: s = (u >= theta); spikes[i] = s ? 1 : 0; where s, u -= theta (subtract != 0) or u = 0. Returns how
  ;; many fired. A NaN never fires.
  (func (export "lifFire") (param $u i32) (param $spikes i32) (param $count i32) (param $theta f32) (param $subtract i32) (result i32)
    (local $i i32) (local $vectors i32) (local $t v128) (local $at i32) (local $v v128) (local $m v128) (local $fired i32) (local $s f32)
    (local.set $t (f32x4.splat (local.get $theta)))
    (local.set $vectors (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $quads
        (br_if $done (i32.ge_u (local.get $i) (local.get $vectors)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $v (v128.load (i32.add (local.get $u) (local.get $at))))
        (local.set $m (f32x4.ge (local.get $v) (local.get $t)))
        (v128.store (i32.add (local.get $spikes) (local.get $at)) (v128.and (local.get $m) (v128.const f32x4 1 1 1 1)))
        (if (v128.any_true (local.get $m))
          (then
            (local.set $fired (i32.add (local.get $fired) (i32.popcnt (i32x4.bitmask (local.get $m)))))
            (v128.store (i32.add (local.get $u) (local.get $at))
              (if (result v128) (local.get $subtract)
                (then (v128.bitselect (f32x4.sub (local.get $v) (local.get $t)) (local.get $v) (local.get $m)))
                (else (v128.andnot (local.get $v) (local.get $m)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $s (f32.load (i32.add (local.get $u) (local.get $at))))
        (if (f32.ge (local.get $s) (local.get $theta))
          (then
            (f32.store (i32.add (local.get $spikes) (local.get $at)) (f32.const 1))
            (f32.store (i32.add (local.get $u) (local.get $at))
              (if (result f32) (local.get $subtract) (then (f32.sub (local.get $s) (local.get $theta))) (else (f32.const 0))))
            (local.set $fired (i32.add (local.get $fired) (i32.const 1))))
          (else (f32.store (i32.add (local.get $spikes) (local.get $at)) (f32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $fired))

  ;; lifStep: lifCharge then lifFire in one pass, for a threshold known before the charge (fixed, or frozen OTS):
  ;; the same operations on each neuron in the same order. Returns how many fired.
  (func (export "lifStep") (param $u i32) (param $x i32) (param $spikes i32) (param $count i32) (param $decay f32) (param $theta f32) (param $subtract i32) (result i32)
    (local $i i32) (local $vectors i32) (local $d v128) (local $t v128) (local $at i32) (local $v v128) (local $m v128) (local $fired i32) (local $s f32)
    (local.set $d (f32x4.splat (local.get $decay)))
    (local.set $t (f32x4.splat (local.get $theta)))
    (local.set $vectors (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $quads
        (br_if $done (i32.ge_u (local.get $i) (local.get $vectors)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $v
          (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $u) (local.get $at))) (local.get $d)) (v128.load (i32.add (local.get $x) (local.get $at)))))
        (local.set $m (f32x4.ge (local.get $v) (local.get $t)))
        (v128.store (i32.add (local.get $spikes) (local.get $at)) (v128.and (local.get $m) (v128.const f32x4 1 1 1 1)))
        (local.set $fired (i32.add (local.get $fired) (i32.popcnt (i32x4.bitmask (local.get $m)))))
        (v128.store (i32.add (local.get $u) (local.get $at))
          (if (result v128) (local.get $subtract)
            (then (v128.bitselect (f32x4.sub (local.get $v) (local.get $t)) (local.get $v) (local.get $m)))
            (else (v128.andnot (local.get $v) (local.get $m)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $s
          (f32.add (f32.mul (f32.load (i32.add (local.get $u) (local.get $at))) (local.get $decay)) (f32.load (i32.add (local.get $x) (local.get $at)))))
        (if (f32.ge (local.get $s) (local.get $theta))
          (then
            (f32.store (i32.add (local.get $spikes) (local.get $at)) (f32.const 1))
            (f32.store (i32.add (local.get $u) (local.get $at))
              (if (result f32) (local.get $subtract) (then (f32.sub (local.get $s) (local.get $theta))) (else (f32.const 0))))
            (local.set $fired (i32.add (local.get $fired) (i32.const 1))))
          (else
            (f32.store (i32.add (local.get $spikes) (local.get $at)) (f32.const 0))
            (f32.store (i32.add (local.get $u) (local.get $at)) (local.get $s))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $fired))

  ;; The norms over `samples` samples of [channels][plane] from `from` to `to` (they may be the same array), one
  ;; channel's constants at a time: OSR (variant 0) y = f32(f32(f32(x - mean) / std) * gamma) + beta, PyTorch's
  ;; BatchNorm (variant 1) y = f32(x * alpha) + shift. Each constant array holds one float32 per channel.
  (func (export "norm")
    (param $from i32) (param $to i32) (param $samples i32) (param $channels i32) (param $plane i32) (param $variant i32)
    (param $mean i32) (param $std i32) (param $gamma i32) (param $beta i32) (param $alpha i32) (param $shift i32)
    (local $s i32) (local $c i32) (local $i i32) (local $base i32) (local $vectors i32) (local $at i32)
    (local $m v128) (local $sd v128) (local $g v128) (local $b v128) (local $x f32)
    (local.set $vectors (i32.and (local.get $plane) (i32.const -4)))
    (block $samplesDone
      (loop $sampleLoop
        (br_if $samplesDone (i32.ge_u (local.get $s) (local.get $samples)))
        (local.set $c (i32.const 0))
        (block $channelsDone
          (loop $channelLoop
            (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $channels)))
            (local.set $base (i32.shl (i32.mul (i32.add (i32.mul (local.get $s) (local.get $channels)) (local.get $c)) (local.get $plane)) (i32.const 2)))
            (local.set $at (i32.shl (local.get $c) (i32.const 2)))
            (if (i32.eqz (local.get $variant))
              (then
                (local.set $m (v128.load32_splat (i32.add (local.get $mean) (local.get $at))))
                (local.set $sd (v128.load32_splat (i32.add (local.get $std) (local.get $at))))
                (local.set $g (v128.load32_splat (i32.add (local.get $gamma) (local.get $at))))
                (local.set $b (v128.load32_splat (i32.add (local.get $beta) (local.get $at)))))
              (else
                (local.set $g (v128.load32_splat (i32.add (local.get $alpha) (local.get $at))))
                (local.set $b (v128.load32_splat (i32.add (local.get $shift) (local.get $at))))))
            (local.set $i (i32.const 0))
            (block $quadsDone
              (loop $quads
                (br_if $quadsDone (i32.ge_u (local.get $i) (local.get $vectors)))
                (local.set $at (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2))))
                (v128.store (i32.add (local.get $to) (local.get $at))
                  (if (result v128) (i32.eqz (local.get $variant))
                    (then
                      (f32x4.add
                        (f32x4.mul (f32x4.div (f32x4.sub (v128.load (i32.add (local.get $from) (local.get $at))) (local.get $m)) (local.get $sd)) (local.get $g))
                        (local.get $b)))
                    (else (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $from) (local.get $at))) (local.get $g)) (local.get $b)))))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $quads)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $i) (local.get $plane)))
                (local.set $at (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2))))
                (local.set $x (f32.load (i32.add (local.get $from) (local.get $at))))
                (f32.store (i32.add (local.get $to) (local.get $at))
                  (if (result f32) (i32.eqz (local.get $variant))
                    (then
                      (f32.add
                        (f32.mul (f32.div (f32.sub (local.get $x) (f32x4.extract_lane 0 (local.get $m))) (f32x4.extract_lane 0 (local.get $sd))) (f32x4.extract_lane 0 (local.get $g)))
                        (f32x4.extract_lane 0 (local.get $b))))
                    (else (f32.add (f32.mul (local.get $x) (f32x4.extract_lane 0 (local.get $g))) (f32x4.extract_lane 0 (local.get $b))))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $tail)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $channelLoop)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $sampleLoop))))

  ;; pool.ts's pool2dSample over `samples` samples: average (kind 0), sum (1) or max (2) over kernel x kernel windows
  ;; with `stride` and `padding`. Sums in float64 in the window's order (row, then column), as pool.ts adds them; the
  ;; average is f32(f32(sum) / area), counting padded taps (PyTorch's count_include_pad); a padded tap never wins a max.
  (func (export "pool")
    (param $from i32) (param $to i32) (param $samples i32) (param $channels i32) (param $inHeight i32) (param $inWidth i32)
    (param $kernel i32) (param $stride i32) (param $outHeight i32) (param $outWidth i32) (param $padding i32) (param $kind i32)
    (local $plane i32) (local $in i32) (local $out i32) (local $oy i32) (local $ox i32) (local $y0 i32) (local $x0 i32)
    (local $ky i32) (local $kx i32) (local $ky1 i32) (local $kx1 i32) (local $kx0 i32) (local $row i32)
    (local $sum f64) (local $max f64) (local $v f64) (local $area f32) (local $planes i32)
    (local.set $area (f32.convert_i32_u (i32.mul (local.get $kernel) (local.get $kernel))))
    (local.set $planes (i32.mul (local.get $samples) (local.get $channels)))
    (local.set $in (local.get $from))
    (local.set $out (local.get $to))
    (block $planesDone
      (loop $planeLoop
        (br_if $planesDone (i32.ge_u (local.get $plane) (local.get $planes)))
        (local.set $oy (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $outHeight)))
            (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $stride)) (local.get $padding)))
            (local.set $ky1 (call $min (local.get $kernel) (i32.sub (local.get $inHeight) (local.get $y0))))
            (local.set $ox (i32.const 0))
            (block $columnsDone
              (loop $columnLoop
                (br_if $columnsDone (i32.ge_u (local.get $ox) (local.get $outWidth)))
                (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $stride)) (local.get $padding)))
                (local.set $kx0 (call $max (i32.const 0) (i32.sub (i32.const 0) (local.get $x0))))
                (local.set $kx1 (call $min (local.get $kernel) (i32.sub (local.get $inWidth) (local.get $x0))))
                (local.set $sum (f64.const 0))
                (local.set $max (f64.const -inf))
                (local.set $ky (call $max (i32.const 0) (i32.sub (i32.const 0) (local.get $y0))))
                (block $windowDone
                  (loop $windowRows
                    (br_if $windowDone (i32.ge_s (local.get $ky) (local.get $ky1)))
                    (local.set $row (i32.add (local.get $in)
                      (i32.shl (i32.add (i32.mul (i32.add (local.get $y0) (local.get $ky)) (local.get $inWidth)) (local.get $x0)) (i32.const 2))))
                    (local.set $kx (local.get $kx0))
                    (block $tapsDone
                      (loop $taps
                        (br_if $tapsDone (i32.ge_s (local.get $kx) (local.get $kx1)))
                        (local.set $v (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $kx) (i32.const 2))))))
                        (local.set $sum (f64.add (local.get $sum) (local.get $v)))
                        (if (f64.gt (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
                        (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                        (br $taps)))
                    (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
                    (br $windowRows)))
                (f32.store (local.get $out)
                  (if (result f32) (i32.eqz (local.get $kind))
                    (then (f32.div (f32.demote_f64 (local.get $sum)) (local.get $area)))
                    (else (f32.demote_f64 (select (local.get $sum) (local.get $max) (i32.eq (local.get $kind) (i32.const 1)))))))
                (local.set $out (i32.add (local.get $out) (i32.const 4)))
                (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                (br $columnLoop)))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $rowLoop)))
        (local.set $in (i32.add (local.get $in) (i32.shl (i32.mul (local.get $inHeight) (local.get $inWidth)) (i32.const 2))))
        (local.set $plane (i32.add (local.get $plane) (i32.const 1)))
        (br $planeLoop))))

  ;; pool's average over 2 x 2 windows with stride 2 and no padding, four outputs per turn: each pair of input rows
  ;; is split into even and odd columns, the four taps of a window summed in float64 in pool.ts's order (row, then
  ;; column), rounded to float32 and divided by 4 in float32. Columns past the last multiple of 8 take pool's path.
  (func (export "averagePool2")
    (param $from i32) (param $to i32) (param $samples i32) (param $channels i32) (param $inHeight i32) (param $inWidth i32)
    (param $outHeight i32) (param $outWidth i32)
    (local $plane i32) (local $planes i32) (local $in i32) (local $out i32) (local $oy i32) (local $ox i32) (local $quads i32)
    (local $r0 i32) (local $r1 i32) (local $a v128) (local $b v128) (local $e0 v128) (local $o0 v128) (local $e1 v128) (local $o1 v128)
    (local $low v128) (local $high v128) (local $at i32) (local $sum f64)
    (local.set $planes (i32.mul (local.get $samples) (local.get $channels)))
    (local.set $quads (i32.and (local.get $outWidth) (i32.const -4)))
    (local.set $in (local.get $from))
    (local.set $out (local.get $to))
    (block $planesDone
      (loop $planeLoop
        (br_if $planesDone (i32.ge_u (local.get $plane) (local.get $planes)))
        (local.set $oy (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $outHeight)))
            (local.set $r0 (i32.add (local.get $in) (i32.shl (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $inWidth)) (i32.const 2))))
            (local.set $r1 (i32.add (local.get $r0) (i32.shl (local.get $inWidth) (i32.const 2))))
            (local.set $ox (i32.const 0))
            (block $quadsDone
              (loop $quadLoop
                (br_if $quadsDone (i32.ge_u (local.get $ox) (local.get $quads)))
                (local.set $at (i32.shl (local.get $ox) (i32.const 3)))
                (local.set $a (v128.load (i32.add (local.get $r0) (local.get $at))))
                (local.set $b (v128.load offset=16 (i32.add (local.get $r0) (local.get $at))))
                (local.set $e0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
                (local.set $o0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
                (local.set $a (v128.load (i32.add (local.get $r1) (local.get $at))))
                (local.set $b (v128.load offset=16 (i32.add (local.get $r1) (local.get $at))))
                (local.set $e1 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
                (local.set $o1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
                (local.set $low (f32x4.demote_f64x2_zero
                  (f64x2.add (f64x2.add (f64x2.add
                    (f64x2.promote_low_f32x4 (local.get $e0)) (f64x2.promote_low_f32x4 (local.get $o0)))
                    (f64x2.promote_low_f32x4 (local.get $e1))) (f64x2.promote_low_f32x4 (local.get $o1)))))
                (local.set $high (f32x4.demote_f64x2_zero
                  (f64x2.add (f64x2.add (f64x2.add
                    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $e0) (local.get $e0))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $o0) (local.get $o0))))
                    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $e1) (local.get $e1)))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $o1) (local.get $o1))))))
                (v128.store (i32.add (local.get $out) (i32.shl (local.get $ox) (i32.const 2)))
                  (f32x4.div
                    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $low) (local.get $high))
                    (v128.const f32x4 4 4 4 4)))
                (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                (br $quadLoop)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $ox) (local.get $outWidth)))
                (local.set $at (i32.shl (local.get $ox) (i32.const 3)))
                (local.set $sum
                  (f64.add (f64.add (f64.add
                    (f64.promote_f32 (f32.load (i32.add (local.get $r0) (local.get $at))))
                    (f64.promote_f32 (f32.load offset=4 (i32.add (local.get $r0) (local.get $at)))))
                    (f64.promote_f32 (f32.load (i32.add (local.get $r1) (local.get $at)))))
                    (f64.promote_f32 (f32.load offset=4 (i32.add (local.get $r1) (local.get $at))))))
                (f32.store (i32.add (local.get $out) (i32.shl (local.get $ox) (i32.const 2))) (f32.div (f32.demote_f64 (local.get $sum)) (f32.const 4)))
                (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                (br $tail)))
            (local.set $out (i32.add (local.get $out) (i32.shl (local.get $outWidth) (i32.const 2))))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $rowLoop)))
        (local.set $in (i32.add (local.get $in) (i32.shl (i32.mul (local.get $inHeight) (local.get $inWidth)) (i32.const 2))))
        (local.set $plane (i32.add (local.get $plane) (i32.const 1)))
        (br $planeLoop))))


  ;; to[i] = a[i] + b[i] for i < count, in float32.
  (func (export "add") (param $a i32) (param $b i32) (param $to i32) (param $count i32)
    (local $i i32) (local $vectors i32) (local $at i32)
    (local.set $vectors (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $quads
        (br_if $done (i32.ge_u (local.get $i) (local.get $vectors)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $to) (local.get $at))
          (f32x4.add (v128.load (i32.add (local.get $a) (local.get $at))) (v128.load (i32.add (local.get $b) (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $to) (local.get $at))
          (f32.add (f32.load (i32.add (local.get $a) (local.get $at))) (f32.load (i32.add (local.get $b) (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_s (local.get $a) (local.get $b))))
  (func $max (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.gt_s (local.get $a) (local.get $b))))
)
