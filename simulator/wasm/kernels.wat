;; The simulator's hot loops in WebAssembly with 128-bit SIMD: the Loihi LIF update four neurons at a time, the
;; sparse (CUBA) delivery of packed synapse words, the conv delivery of a list of axon events, and a CUBA free run's
;; whole step loop for one thread's share of the neurons (waits and wake-ups included).
;; The specification is the TypeScript they replace: simulator/fused-lif.ts (fusedLifStep, fusedRefractoryLifStep),
;; simulator/free-run/free-run.ts (the scalar loop) and simulator/scatter.ts (conv). Every integer is the same:
;; test/simulator/wasm-kernels.test.ts pins each function to its TypeScript twin bit for bit, and
;; test/simulator/free-run/free-run-wasm.test.ts the free run to the scalar loop.
;; All pointers are byte offsets into the imported memory; neuron arrays are padded to a multiple of 4 lanes.
;; Built into simulator/wasm/kernels-binary.ts by `npm run build:wasm` (wabt); never edit that file by hand.
(module
  (import "env" "memory" (memory 1 65536 shared))

;; Bounds under which every lane value below stays within 32 bits, so the lanes give the scalar kernel's exact
  ;; doubles: |decayed u| <= |u| < 2^28 and 64 |input| < 2^29 make |current| < 2^30 (its one wrap keeps that);
  ;; with |decayed v| <= |v| < 2^28 and |bias| < 2^28 (checked by the caller) the voltage is below 2^31 before its
  ;; clip. A group of four with a wider value takes the 64-bit scalar path ($neuron64) instead; in a working network
  ;; u and v stay within 24 bits, so that path only runs on unusual programs and hand-made states.
  (global $INPUT_LIMIT i32 (i32.const 0x007fffff))
  (global $STATE_LIMIT i32 (i32.const 0x0fffffff))

  ;; trunc(x * keep / 4096) in 64 bits, 0 <= keep <= 4096.
  (func $decay64 (param $x i64) (param $keep i32) (result i64)
    (local $p i64)
    (local.set $p (i64.mul (local.get $x) (i64.extend_i32_u (local.get $keep))))
    (if (result i64) (i64.lt_s (local.get $p) (i64.const 0))
      (then (i64.sub (i64.const 0) (i64.shr_s (i64.sub (i64.const 0) (local.get $p)) (i64.const 12))))
      (else (i64.shr_s (local.get $p) (i64.const 12)))))

  ;; One neuron at byte offset o of u, v, bias (and refractory when non-zero), in 64-bit integers: the scalar
  ;; kernel's doubles exactly, whatever the widths. Returns 1 when it fired, 2 when it was inactive (no spike,
  ;; no input, v = 0), else 0.
  (func $neuron64
    (param $u i32) (param $v i32) (param $bias i32) (param $refractory i32) (param $o i32) (param $input i32)
    (param $uKeep i32) (param $vKeep i32) (param $threshold i32) (param $subtractive i32) (param $hold i32)
    (result i32)
    (local $cur i64) (local $volt i64) (local $r i32)
    (local.set $cur
      (i64.add
        (call $decay64 (i64.load32_s (i32.add (local.get $u) (local.get $o))) (local.get $uKeep))
        (i64.shl (i64.extend_i32_s (local.get $input)) (i64.const 6))))
    (if (i64.gt_s (local.get $cur) (i64.const 0x800000))
      (then (local.set $cur (i64.sub (local.get $cur) (i64.const 0x1000000))))
      (else (if (i64.le_s (local.get $cur) (i64.const -0x800000))
        (then (local.set $cur (i64.add (local.get $cur) (i64.const 0x1000000)))))))
    (i32.store (i32.add (local.get $u) (local.get $o)) (i32.wrap_i64 (local.get $cur)))
    (if (local.get $refractory)
      (then
        (local.set $r (i32.load (i32.add (local.get $refractory) (local.get $o))))
        (if (i32.gt_s (local.get $r) (i32.const 0))
          (then
            (i32.store (i32.add (local.get $refractory) (local.get $o)) (i32.sub (local.get $r) (i32.const 1)))
            (i32.store (i32.add (local.get $v) (local.get $o)) (i32.const 0))
            (return (i32.const 0))))))
    (local.set $volt
      (i64.add
        (i64.add
          (call $decay64 (i64.load32_s (i32.add (local.get $v) (local.get $o))) (local.get $vKeep))
          (local.get $cur))
        (i64.load32_s (i32.add (local.get $bias) (local.get $o)))))
    (if (i64.gt_s (local.get $volt) (i64.const 0x7fffff)) (then (local.set $volt (i64.const 0x7fffff))))
    (if (i64.lt_s (local.get $volt) (i64.const -0x7fffff)) (then (local.set $volt (i64.const -0x7fffff))))
    (if (i64.gt_s (local.get $volt) (i64.extend_i32_s (local.get $threshold)))
      (then
        (i32.store (i32.add (local.get $v) (local.get $o))
          (select (i32.sub (i32.wrap_i64 (local.get $volt)) (local.get $threshold)) (i32.const 0) (local.get $subtractive)))
        (if (local.get $refractory)
          (then (i32.store (i32.add (local.get $refractory) (local.get $o)) (local.get $hold))))
        (return (i32.const 1))))
    (i32.store (i32.add (local.get $v) (local.get $o)) (i32.wrap_i64 (local.get $volt)))
    (select (i32.const 2) (i32.const 0)
      (i32.and (i32.eqz (local.get $input)) (i64.eqz (local.get $volt)))))

  ;; One step of a layer's (or a thread's share of a layer's) LIF neurons; returns how many fired.
  ;; The arrays u, v, acc, bias, refractory start at neuron `indexBase` of the layer, the segments are relative to
  ;; it; the spike lists and the flags hold layer-wide indices (flags points at neuron 0). previousList's first
  ;; `marked` entries (the previous step's spikes; it may be spikeList itself) get their flags cleared first.
  ;; segs: (begin, end, core) triples in ascending order of begin, covering the share; per core the spikes are added
  ;; into coreSpikes and the inactive updates (no spike, no input, v = 0) into coreInactive.
  ;; refractory = 0: no refractory period; else a per-neuron i32 counter, `hold` steps after each spike, during
  ;; which v stays 0 and the neuron cannot fire (its u evolves); no inactive counts then.
  ;; acc16 = 1: the accumulator holds int16 sums (deliverSparse16), else int32.
  ;; scratch: 256 bytes (16-byte aligned) the call may overwrite, its own (not shared with a concurrent call).
  ;; trusted = 1: the caller promises |u| <= 2^23, |v| < 2^28, |input| <= 2^17, |bias| < 2^28 and |threshold| < 2^27
  ;; (TRUSTED_BOUNDS in kernels.ts); then every group is in the lanes' range without a check, |decayed u + 64 input|
  ;; <= 2^24 wraps with one mask, and the state this step leaves keeps the promise for the next step's.
  (func $lifStep (export "lifStep")
    (param $u i32) (param $v i32) (param $acc i32) (param $bias i32) (param $neurons i32)
    (param $segs i32) (param $segCount i32) (param $coreSpikes i32) (param $coreInactive i32)
    (param $flags i32) (param $spikeList i32) (param $previousList i32) (param $marked i32)
    (param $uKeepS i32) (param $vKeepS i32) (param $thresholdS i32) (param $subtractive i32)
    (param $left i32) (param $right i32) (param $maskS i32)
    (param $refractory i32) (param $holdS i32) (param $indexBase i32) (param $acc16 i32) (param $trusted i32) (param $scratch i32)
    (result i32)
    (local $i i32) (local $begin i32) (local $end i32) (local $seg i32) (local $core i32) (local $fired i32) (local $segFired i32)
    (local $bits i32) (local $lane i32) (local $index i32) (local $o i32) (local $scalarInactive i32) (local $result i32)
    (local $maskV v128) (local $uKeep v128) (local $vKeep v128) (local $threshold v128) (local $subMask v128)
    (local $hold v128)
    (local $input v128) (local $x v128) (local $cur v128) (local $y v128)
    (local $volt v128) (local $fire v128) (local $inactive v128) (local $r v128) (local $inRef v128)
    (local $vNew v128) (local $ax v128) (local $ay v128) (local $sign v128) (local $plainInput i32)
    ;; Clear the flags of the previous step's spikes.
    (block $cleared
      (loop $clear
        (br_if $cleared (i32.ge_s (local.get $i) (local.get $marked)))
        (i32.store8 (i32.add (local.get $flags) (i32.load (i32.add (local.get $previousList) (i32.shl (local.get $i) (i32.const 2))))) (i32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $clear)))
    (local.set $maskV (i32x4.splat (local.get $maskS)))
    (local.set $uKeep (i32x4.splat (local.get $uKeepS)))
    (local.set $vKeep (i32x4.splat (local.get $vKeepS)))
    (local.set $threshold (i32x4.splat (local.get $thresholdS)))
    (local.set $subMask (i32x4.splat (i32.sub (i32.const 0) (i32.ne (local.get $subtractive) (i32.const 0)))))
    (local.set $hold (i32x4.splat (local.get $holdS)))
    (local.set $plainInput
      (i32.and (i32.eqz (i32.or (i32.and (local.get $left) (i32.const 31)) (i32.and (local.get $right) (i32.const 31))))
        (i32.eq (local.get $maskS) (i32.const -1))))
    ;; The lanes' constants go through scratch memory: V8 would otherwise rebuild each splat and constant inside the
    ;; loop (two or three instructions each, measured), where one load does.
    (v128.store offset=0 (local.get $scratch) (local.get $maskV))
    (v128.store offset=16 (local.get $scratch) (local.get $uKeep))
    (v128.store offset=32 (local.get $scratch) (local.get $vKeep))
    (v128.store offset=48 (local.get $scratch) (local.get $threshold))
    (v128.store offset=64 (local.get $scratch) (local.get $subMask))
    (v128.store offset=80 (local.get $scratch) (local.get $hold))
    (v128.store offset=96 (local.get $scratch) (v128.const i32x4 4095 4095 4095 4095))
    (v128.store offset=112 (local.get $scratch) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff))
    (v128.store offset=128 (local.get $scratch) (v128.const i32x4 0xffffff 0xffffff 0xffffff 0xffffff))
    (v128.store offset=144 (local.get $scratch) (v128.const i32x4 -0x7fffff -0x7fffff -0x7fffff -0x7fffff))
    (v128.store offset=160 (local.get $scratch) (v128.const i32x4 1 1 1 1))
    (v128.store offset=176 (local.get $scratch) (v128.const i32x4 0x800000 0x800000 0x800000 0x800000))
    (v128.store offset=192 (local.get $scratch) (v128.const i32x4 -0x800000 -0x800000 -0x800000 -0x800000))
    (v128.store offset=208 (local.get $scratch) (v128.const i32x4 0x1000000 0x1000000 0x1000000 0x1000000))
    (v128.store offset=224 (local.get $scratch) (i32x4.splat (global.get $INPUT_LIMIT)))
    (v128.store offset=240 (local.get $scratch) (i32x4.splat (global.get $STATE_LIMIT)))
    (block $segmentsDone
      (loop $segments
        (br_if $segmentsDone (i32.ge_s (local.get $seg) (local.get $segCount)))
        (local.set $o (i32.add (local.get $segs) (i32.mul (local.get $seg) (i32.const 12))))
        (local.set $begin (i32.load (local.get $o)))
        (local.set $end (i32.load offset=4 (local.get $o)))
        (local.set $core (i32.load offset=8 (local.get $o)))
        (local.set $segFired (i32.const 0))
        (local.set $scalarInactive (i32.const 0))
        (local.set $inactive (v128.const i32x4 0 0 0 0))
        ;; Groups start at multiples of 4, so a group never straddles two threads' shares.
        (local.set $i (i32.and (local.get $begin) (i32.const -4)))
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.ge_s (local.get $i) (local.get $end)))
            (local.set $o (i32.shl (local.get $i) (i32.const 2)))
            (local.set $input
              (if (result v128) (local.get $acc16)
                (then (v128.load16x4_s (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1)))))
                (else (v128.load (i32.add (local.get $acc) (local.get $o))))))
            ;; The weight exponent's shifts and mask, unless they change nothing (weight exponent 0).
            (if (i32.eqz (local.get $plainInput))
              (then
                (local.set $input
                  (v128.and
                    (i32x4.shr_s (i32x4.shl (local.get $input) (local.get $left)) (local.get $right))
                    (v128.load offset=0 (local.get $scratch))))))
            (local.set $x (v128.load (i32.add (local.get $u) (local.get $o))))
            (local.set $y (v128.load (i32.add (local.get $v) (local.get $o))))
            (local.set $ax (i32x4.abs (local.get $x)))
            (local.set $ay (i32x4.abs (local.get $y)))
            ;; A group reaching past the segment (its first or last) or holding a value too wide for the lanes goes
            ;; lane by lane; every other group is four lanes of this segment, so the vector path needs no lane mask.
            (if (i32.or
                  (i32.or (i32.lt_s (local.get $i) (local.get $begin)) (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $end)))
                  (if (result i32) (local.get $trusted)
                    (then (i32.const 0))
                    (else
                      (v128.any_true
                        (v128.or
                          (i32x4.gt_u (i32x4.abs (local.get $input)) (v128.load offset=224 (local.get $scratch)))
                          (i32x4.gt_u (v128.or (local.get $ax) (local.get $ay)) (v128.load offset=240 (local.get $scratch))))))))
              (then
                ;; This group's lanes of the segment one by one, in 64 bits.
                (local.set $bits (i32.const 0))
                (local.set $lane (i32.const 0))
                (block $lanesDone
                  (loop $laneLoop
                    (br_if $lanesDone (i32.ge_u (local.get $lane) (i32.const 4)))
                    (local.set $index (i32.add (local.get $i) (local.get $lane)))
                    (if (i32.and (i32.ge_s (local.get $index) (local.get $begin)) (i32.lt_s (local.get $index) (local.get $end)))
                      (then
                        (local.set $result
                          (call $neuron64
                            (local.get $u) (local.get $v) (local.get $bias) (local.get $refractory) (i32.shl (local.get $index) (i32.const 2))
                            (i32.and
                              (i32.shr_s
                                (i32.shl
                                  (if (result i32) (local.get $acc16)
                                    (then (i32.load16_s (i32.add (local.get $acc) (i32.shl (local.get $index) (i32.const 1)))))
                                    (else (i32.load (i32.add (local.get $acc) (i32.shl (local.get $index) (i32.const 2))))))
                                  (local.get $left))
                                (local.get $right))
                              (local.get $maskS))
                            (local.get $uKeepS) (local.get $vKeepS) (local.get $thresholdS) (local.get $subtractive) (local.get $holdS)))
                        (local.set $bits (i32.or (local.get $bits) (i32.shl (i32.and (local.get $result) (i32.const 1)) (local.get $lane))))
                        (if (i32.eqz (local.get $refractory))
                          (then (local.set $scalarInactive (i32.add (local.get $scalarInactive) (i32.shr_u (local.get $result) (i32.const 1))))))))
                    (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
                    (br $laneLoop))))
              (else
                ;; u: trunc(x * keep / 4096) = sign(x) * floor(|x| * keep / 4096), the floor as h * keep + ((l * keep) >> 12)
                ;; with |x| = h * 4096 + l (exact: |x| < 2^28), the sign applied as (r ^ s) - s; then the input, and
                ;; one wrap into the 24-bit range each way (both tests on the unwrapped value, as the scalar kernel's if/else).
                (local.set $sign (i32x4.shr_s (local.get $x) (i32.const 31)))
                (local.set $cur
                  (i32x4.add
                    (i32x4.sub
                      (v128.xor
                        (i32x4.add
                          (i32x4.mul (i32x4.shr_u (local.get $ax) (i32.const 12)) (v128.load offset=16 (local.get $scratch)))
                          (i32x4.shr_u (i32x4.mul (v128.and (local.get $ax) (v128.load offset=96 (local.get $scratch))) (v128.load offset=16 (local.get $scratch))) (i32.const 12)))
                        (local.get $sign))
                      (local.get $sign))
                    (i32x4.shl (local.get $input) (i32.const 6))))
                (local.set $cur
                  (if (result v128) (local.get $trusted)
                    ;; |cur| <= 2^24 here, where one wrap each way is the residue in (-2^23, 2^23].
                    (then
                      (i32x4.sub
                        (v128.and (i32x4.add (local.get $cur) (v128.load offset=112 (local.get $scratch))) (v128.load offset=128 (local.get $scratch)))
                        (v128.load offset=112 (local.get $scratch))))
                    (else
                      (i32x4.add
                        (i32x4.sub (local.get $cur)
                          (v128.and (i32x4.gt_s (local.get $cur) (v128.load offset=176 (local.get $scratch))) (v128.load offset=208 (local.get $scratch))))
                        (v128.and (i32x4.le_s (local.get $cur) (v128.load offset=192 (local.get $scratch))) (v128.load offset=208 (local.get $scratch)))))))
                (v128.store (i32.add (local.get $u) (local.get $o)) (local.get $cur))
                (local.set $sign (i32x4.shr_s (local.get $y) (i32.const 31)))
                (local.set $volt
                  (i32x4.add
                    (i32x4.add
                      (i32x4.sub
                        (v128.xor
                          (i32x4.add
                            (i32x4.mul (i32x4.shr_u (local.get $ay) (i32.const 12)) (v128.load offset=32 (local.get $scratch)))
                            (i32x4.shr_u (i32x4.mul (v128.and (local.get $ay) (v128.load offset=96 (local.get $scratch))) (v128.load offset=32 (local.get $scratch))) (i32.const 12)))
                          (local.get $sign))
                        (local.get $sign))
                      (local.get $cur))
                    (v128.load (i32.add (local.get $bias) (local.get $o)))))
                (local.set $volt
                  (i32x4.max_s
                    (i32x4.min_s (local.get $volt) (v128.load offset=112 (local.get $scratch)))
                    (v128.load offset=144 (local.get $scratch))))
                (local.set $fire (i32x4.gt_s (local.get $volt) (v128.load offset=48 (local.get $scratch))))
                (local.set $vNew
                  (v128.bitselect
                    (v128.and (i32x4.sub (local.get $volt) (v128.load offset=48 (local.get $scratch))) (v128.load offset=64 (local.get $scratch)))
                    (local.get $volt)
                    (local.get $fire)))
                (if (local.get $refractory)
                  (then
                    (local.set $r (v128.load (i32.add (local.get $refractory) (local.get $o))))
                    (local.set $inRef (i32x4.gt_s (local.get $r) (v128.const i32x4 0 0 0 0)))
                    (local.set $fire (v128.andnot (local.get $fire) (local.get $inRef)))
                    (local.set $vNew (v128.andnot (local.get $vNew) (local.get $inRef)))
                    (v128.store (i32.add (local.get $refractory) (local.get $o))
                      (v128.bitselect
                        (i32x4.sub (local.get $r) (v128.load offset=160 (local.get $scratch)))
                        (v128.and (local.get $fire) (v128.load offset=80 (local.get $scratch)))
                        (local.get $inRef))))
                  (else
                    (local.set $inactive
                      (i32x4.sub (local.get $inactive)
                        (v128.andnot
                          (v128.and
                            (i32x4.eq (local.get $input) (v128.const i32x4 0 0 0 0))
                            (i32x4.eq (local.get $volt) (v128.const i32x4 0 0 0 0)))
                          (local.get $fire))))))
                (v128.store (i32.add (local.get $v) (local.get $o)) (local.get $vNew))
                (local.set $bits (i32x4.bitmask (local.get $fire)))))
            (block $listed
              (loop $list
                (br_if $listed (i32.eqz (local.get $bits)))
                (local.set $index (i32.add (i32.add (local.get $indexBase) (local.get $i)) (i32.ctz (local.get $bits))))
                (i32.store8 (i32.add (local.get $flags) (local.get $index)) (i32.const 1))
                (i32.store (i32.add (local.get $spikeList) (i32.shl (local.get $fired) (i32.const 2))) (local.get $index))
                (local.set $fired (i32.add (local.get $fired) (i32.const 1)))
                (local.set $segFired (i32.add (local.get $segFired) (i32.const 1)))
                (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                (br $list)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $groups)))
        (local.set $o (i32.add (local.get $coreSpikes) (i32.shl (local.get $core) (i32.const 2))))
        (i32.store (local.get $o) (i32.add (i32.load (local.get $o)) (local.get $segFired)))
        (local.set $o (i32.add (local.get $coreInactive) (i32.shl (local.get $core) (i32.const 2))))
        (i32.store (local.get $o)
          (i32.add (i32.load (local.get $o))
            (i32.add
              (local.get $scalarInactive)
              (i32.add
                (i32.add (i32x4.extract_lane 0 (local.get $inactive)) (i32x4.extract_lane 1 (local.get $inactive)))
                (i32.add (i32x4.extract_lane 2 (local.get $inactive)) (i32x4.extract_lane 3 (local.get $inactive)))))))
        (local.set $seg (i32.add (local.get $seg) (i32.const 1)))
        (br $segments)))
    (local.get $fired))

  ;; Delivery of one step's spikes through packed synapse words (target << 8 | int8 weight) into acc, which is
  ;; cleared first (`accBytes` bytes). Counts each source's spike in `delivered` (unless it is 0); returns the
  ;; synaptic events.
  (func $deliverSparse (export "deliverSparse")
    (param $spikeList i32) (param $count i32) (param $rowStart i32) (param $words i32) (param $acc i32) (param $accBytes i32)
    (param $delivered i32)
    (result i32)
    (local $s i32) (local $n i32) (local $k i32) (local $end i32) (local $end4 i32) (local $events i32) (local $w i32) (local $at i32)
    (local $sink i32)
    (memory.fill (local.get $acc) (i32.const 0) (local.get $accBytes))
    ;; First one load per cache line of every row this step reads (WebAssembly has no prefetch): the loads miss
    ;; independently, dozens in flight, so the rows reach the cache together instead of one memory latency per row.
    ;; Measured at N = 100,000 (rows far beyond the caches): one thread 335 -> 495 M events/s; at 10,000 no change.
    (block $touched
      (loop $touch
        (br_if $touched (i32.ge_s (local.get $s) (local.get $count)))
        (local.set $at (i32.add (local.get $rowStart) (i32.shl (i32.load (i32.add (local.get $spikeList) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 2))))
        (local.set $k (i32.add (local.get $words) (i32.shl (i32.load (local.get $at)) (i32.const 2))))
        (local.set $end (i32.add (local.get $words) (i32.shl (i32.load offset=4 (local.get $at)) (i32.const 2))))
        (block $rowTouched
          (loop $touchRow
            (br_if $rowTouched (i32.ge_u (local.get $k) (local.get $end)))
            (local.set $sink (i32.xor (local.get $sink) (i32.load (local.get $k))))
            (local.set $k (i32.add (local.get $k) (i32.const 64)))
            (br $touchRow)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $touch)))
    (local.set $s (i32.const 0))
    (block $done
      (loop $spikes
        (br_if $done (i32.ge_s (local.get $s) (local.get $count)))
        (local.set $n (i32.load (i32.add (local.get $spikeList) (i32.shl (local.get $s) (i32.const 2)))))
        (if (local.get $delivered)
          (then
            (local.set $at (i32.add (local.get $delivered) (i32.shl (local.get $n) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))))
        (local.set $at (i32.add (local.get $rowStart) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $k (i32.add (local.get $words) (i32.shl (i32.load (local.get $at)) (i32.const 2))))
        (local.set $end (i32.add (local.get $words) (i32.shl (i32.load offset=4 (local.get $at)) (i32.const 2))))
        (local.set $events (i32.add (local.get $events) (i32.shr_u (i32.sub (local.get $end) (local.get $k)) (i32.const 2))))
        ;; Four words per turn while four remain (each add still reads the previous store: repeated targets are fine).
        (local.set $end4 (i32.sub (local.get $end) (i32.const 12)))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.ge_u (local.get $k) (local.get $end4)))
            (local.set $w (i32.load (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $w (i32.load offset=4 (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $w (i32.load offset=8 (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $w (i32.load offset=12 (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $quads)))
        (block $rowDone
          (loop $row
            (br_if $rowDone (i32.ge_u (local.get $k) (local.get $end)))
            (local.set $w (i32.load (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $row)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $spikes)))
    (local.get $events))

  ;; deliverSparse into an int16 accumulator: exact when every target's incoming |weights| sum below 2^15 (each
  ;; source fires at most once a step), which the caller checks; half the bytes to touch per target.
  (func $deliverSparse16 (export "deliverSparse16")
    (param $spikeList i32) (param $count i32) (param $rowStart i32) (param $words i32) (param $acc i32) (param $accBytes i32)
    (param $delivered i32)
    (result i32)
    (local $s i32) (local $n i32) (local $k i32) (local $end i32) (local $end4 i32) (local $events i32) (local $w i32) (local $at i32)
    (local $sink i32)
    (memory.fill (local.get $acc) (i32.const 0) (local.get $accBytes))
    ;; First one load per cache line of every row this step reads (WebAssembly has no prefetch): the loads miss
    ;; independently, dozens in flight, so the rows reach the cache together instead of one memory latency per row.
    ;; Measured at N = 100,000 (rows far beyond the caches): one thread 335 -> 495 M events/s; at 10,000 no change.
    (block $touched
      (loop $touch
        (br_if $touched (i32.ge_s (local.get $s) (local.get $count)))
        (local.set $at (i32.add (local.get $rowStart) (i32.shl (i32.load (i32.add (local.get $spikeList) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 2))))
        (local.set $k (i32.add (local.get $words) (i32.shl (i32.load (local.get $at)) (i32.const 2))))
        (local.set $end (i32.add (local.get $words) (i32.shl (i32.load offset=4 (local.get $at)) (i32.const 2))))
        (block $rowTouched
          (loop $touchRow
            (br_if $rowTouched (i32.ge_u (local.get $k) (local.get $end)))
            (local.set $sink (i32.xor (local.get $sink) (i32.load (local.get $k))))
            (local.set $k (i32.add (local.get $k) (i32.const 64)))
            (br $touchRow)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $touch)))
    (local.set $s (i32.const 0))
    (block $done
      (loop $spikes
        (br_if $done (i32.ge_s (local.get $s) (local.get $count)))
        (local.set $n (i32.load (i32.add (local.get $spikeList) (i32.shl (local.get $s) (i32.const 2)))))
        (if (local.get $delivered)
          (then
            (local.set $at (i32.add (local.get $delivered) (i32.shl (local.get $n) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))))
        (local.set $at (i32.add (local.get $rowStart) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $k (i32.add (local.get $words) (i32.shl (i32.load (local.get $at)) (i32.const 2))))
        (local.set $end (i32.add (local.get $words) (i32.shl (i32.load offset=4 (local.get $at)) (i32.const 2))))
        (local.set $events (i32.add (local.get $events) (i32.shr_u (i32.sub (local.get $end) (local.get $k)) (i32.const 2))))
        ;; Four words per turn while four remain (each add still reads the previous store: repeated targets are fine).
        (local.set $end4 (i32.sub (local.get $end) (i32.const 12)))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.ge_u (local.get $k) (local.get $end4)))
            (local.set $w (i32.load (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 1))))
            (i32.store16 (local.get $at) (i32.add (i32.load16_s (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $w (i32.load offset=4 (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 1))))
            (i32.store16 (local.get $at) (i32.add (i32.load16_s (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $w (i32.load offset=8 (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 1))))
            (i32.store16 (local.get $at) (i32.add (i32.load16_s (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $w (i32.load offset=12 (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 1))))
            (i32.store16 (local.get $at) (i32.add (i32.load16_s (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $quads)))
        (block $rowDone
          (loop $row
            (br_if $rowDone (i32.ge_u (local.get $k) (local.get $end)))
            (local.set $w (i32.load (local.get $k)))
            (local.set $at (i32.add (local.get $acc) (i32.shl (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 1))))
            (i32.store16 (local.get $at) (i32.add (i32.load16_s (local.get $at)) (i32.extend8_s (local.get $w))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $row)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $spikes)))
    (local.get $events))

  ;; Conv delivery of `count` events (axon, value) into acc ([position][outChannel] i32): for every (output
  ;; position, tap) pair the axon's source position reaches, acc row += value * weights[channel][tap][*].
  ;; Products and sums wrap modulo 2^32, as the TypeScript scatter does when its products are exact.
  (func (export "scatterConv")
    (param $axons i32) (param $values i32) (param $count i32) (param $pooledPlane i32)
    (param $start i32) (param $outPosition i32) (param $tap i32) (param $weights i32) (param $taps i32) (param $outC i32)
    (param $acc i32)
    (local $e i32) (local $axon i32) (local $value i32) (local $channel i32) (local $position i32) (local $base i32)
    (local $j i32) (local $jEnd i32) (local $w i32) (local $a i32) (local $co i32) (local $vectorEnd i32) (local $valueV v128)
    (local.set $vectorEnd (i32.and (local.get $outC) (i32.const -4)))
    (block $eventsDone
      (loop $events
        (br_if $eventsDone (i32.ge_s (local.get $e) (local.get $count)))
        (local.set $axon (i32.load (i32.add (local.get $axons) (i32.shl (local.get $e) (i32.const 2)))))
        (local.set $value (i32.load (i32.add (local.get $values) (i32.shl (local.get $e) (i32.const 2)))))
        (local.set $valueV (i32x4.splat (local.get $value)))
        (local.set $channel (i32.div_u (local.get $axon) (local.get $pooledPlane)))
        (local.set $position (i32.sub (local.get $axon) (i32.mul (local.get $channel) (local.get $pooledPlane))))
        (local.set $base (i32.mul (i32.mul (local.get $channel) (local.get $taps)) (local.get $outC)))
        (local.set $j (i32.load (i32.add (local.get $start) (i32.shl (local.get $position) (i32.const 2)))))
        (local.set $jEnd (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $position) (i32.const 2)))))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $j) (local.get $jEnd)))
            (local.set $w (i32.add (local.get $weights)
              (i32.shl (i32.add (local.get $base) (i32.mul (i32.load (i32.add (local.get $tap) (i32.shl (local.get $j) (i32.const 2)))) (local.get $outC))) (i32.const 2))))
            (local.set $a (i32.add (local.get $acc)
              (i32.shl (i32.mul (i32.load (i32.add (local.get $outPosition) (i32.shl (local.get $j) (i32.const 2)))) (local.get $outC)) (i32.const 2))))
            (local.set $co (i32.const 0))
            (if (i32.eq (local.get $value) (i32.const 1))
              (then
                (block $onesDone
                  (loop $ones
                    (br_if $onesDone (i32.ge_s (local.get $co) (local.get $vectorEnd)))
                    (v128.store (local.get $a) (i32x4.add (v128.load (local.get $a)) (v128.load (local.get $w))))
                    (local.set $a (i32.add (local.get $a) (i32.const 16)))
                    (local.set $w (i32.add (local.get $w) (i32.const 16)))
                    (local.set $co (i32.add (local.get $co) (i32.const 4)))
                    (br $ones))))
              (else
                (block $scaledDone
                  (loop $scaled
                    (br_if $scaledDone (i32.ge_s (local.get $co) (local.get $vectorEnd)))
                    (v128.store (local.get $a) (i32x4.add (v128.load (local.get $a)) (i32x4.mul (local.get $valueV) (v128.load (local.get $w)))))
                    (local.set $a (i32.add (local.get $a) (i32.const 16)))
                    (local.set $w (i32.add (local.get $w) (i32.const 16)))
                    (local.set $co (i32.add (local.get $co) (i32.const 4)))
                    (br $scaled)))))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_s (local.get $co) (local.get $outC)))
                (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.mul (local.get $value) (i32.load (local.get $w)))))
                (local.set $a (i32.add (local.get $a) (i32.const 4)))
                (local.set $w (i32.add (local.get $w) (i32.const 4)))
                (local.set $co (i32.add (local.get $co) (i32.const 1)))
                (br $tail)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $pairs)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $events))))

  ;; scatterConv with 16-bit lanes, eight output channels per vector: weights and acc16 hold int16. Exact when
  ;; every partial sum of a neuron within the step stays within ±2^15 (then no product or sum wraps), which the
  ;; caller checks from the weights and the most spikes an axon can carry (simulator/packed-conv.ts: convSumsFit16).
  (func (export "scatterConv16")
    (param $axons i32) (param $values i32) (param $count i32) (param $pooledPlane i32)
    (param $start i32) (param $outPosition i32) (param $tap i32) (param $weights i32) (param $taps i32) (param $outC i32)
    (param $acc16 i32)
    (local $e i32) (local $axon i32) (local $value i32) (local $channel i32) (local $position i32) (local $base i32)
    (local $j i32) (local $jEnd i32) (local $w i32) (local $a i32) (local $co i32) (local $vectorEnd i32) (local $vectorEnd4 i32) (local $valueV v128)
    (local.set $vectorEnd (i32.and (local.get $outC) (i32.const -8)))
    (local.set $vectorEnd4 (i32.and (local.get $outC) (i32.const -32)))
    (block $eventsDone
      (loop $events
        (br_if $eventsDone (i32.ge_s (local.get $e) (local.get $count)))
        (local.set $axon (i32.load (i32.add (local.get $axons) (i32.shl (local.get $e) (i32.const 2)))))
        (local.set $value (i32.load (i32.add (local.get $values) (i32.shl (local.get $e) (i32.const 2)))))
        (local.set $valueV (i16x8.splat (local.get $value)))
        (local.set $channel (i32.div_u (local.get $axon) (local.get $pooledPlane)))
        (local.set $position (i32.sub (local.get $axon) (i32.mul (local.get $channel) (local.get $pooledPlane))))
        (local.set $base (i32.mul (i32.mul (local.get $channel) (local.get $taps)) (local.get $outC)))
        (local.set $j (i32.load (i32.add (local.get $start) (i32.shl (local.get $position) (i32.const 2)))))
        (local.set $jEnd (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $position) (i32.const 2)))))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $j) (local.get $jEnd)))
            (local.set $w (i32.add (local.get $weights)
              (i32.shl (i32.add (local.get $base) (i32.mul (i32.load (i32.add (local.get $tap) (i32.shl (local.get $j) (i32.const 2)))) (local.get $outC))) (i32.const 1))))
            (local.set $a (i32.add (local.get $acc16)
              (i32.shl (i32.mul (i32.load (i32.add (local.get $outPosition) (i32.shl (local.get $j) (i32.const 2)))) (local.get $outC)) (i32.const 1))))
            (local.set $co (i32.const 0))
            (if (i32.eq (local.get $value) (i32.const 1))
              (then
                (block $fourOnesDone
                  (loop $fourOnes
                    (br_if $fourOnesDone (i32.ge_s (local.get $co) (local.get $vectorEnd4)))
                    (v128.store (local.get $a) (i16x8.add (v128.load (local.get $a)) (v128.load (local.get $w))))
                    (v128.store offset=16 (local.get $a) (i16x8.add (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $w))))
                    (v128.store offset=32 (local.get $a) (i16x8.add (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $w))))
                    (v128.store offset=48 (local.get $a) (i16x8.add (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $w))))
                    (local.set $a (i32.add (local.get $a) (i32.const 64)))
                    (local.set $w (i32.add (local.get $w) (i32.const 64)))
                    (local.set $co (i32.add (local.get $co) (i32.const 32)))
                    (br $fourOnes)))
                (block $onesDone
                  (loop $ones
                    (br_if $onesDone (i32.ge_s (local.get $co) (local.get $vectorEnd)))
                    (v128.store (local.get $a) (i16x8.add (v128.load (local.get $a)) (v128.load (local.get $w))))
                    (local.set $a (i32.add (local.get $a) (i32.const 16)))
                    (local.set $w (i32.add (local.get $w) (i32.const 16)))
                    (local.set $co (i32.add (local.get $co) (i32.const 8)))
                    (br $ones))))
              (else
                (block $fourScaledDone
                  (loop $fourScaled
                    (br_if $fourScaledDone (i32.ge_s (local.get $co) (local.get $vectorEnd4)))
                    (v128.store (local.get $a) (i16x8.add (v128.load (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load (local.get $w)))))
                    (v128.store offset=16 (local.get $a) (i16x8.add (v128.load offset=16 (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load offset=16 (local.get $w)))))
                    (v128.store offset=32 (local.get $a) (i16x8.add (v128.load offset=32 (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load offset=32 (local.get $w)))))
                    (v128.store offset=48 (local.get $a) (i16x8.add (v128.load offset=48 (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load offset=48 (local.get $w)))))
                    (local.set $a (i32.add (local.get $a) (i32.const 64)))
                    (local.set $w (i32.add (local.get $w) (i32.const 64)))
                    (local.set $co (i32.add (local.get $co) (i32.const 32)))
                    (br $fourScaled)))
                (block $scaledDone
                  (loop $scaled
                    (br_if $scaledDone (i32.ge_s (local.get $co) (local.get $vectorEnd)))
                    (v128.store (local.get $a) (i16x8.add (v128.load (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load (local.get $w)))))
                    (local.set $a (i32.add (local.get $a) (i32.const 16)))
                    (local.set $w (i32.add (local.get $w) (i32.const 16)))
                    (local.set $co (i32.add (local.get $co) (i32.const 8)))
                    (br $scaled)))))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_s (local.get $co) (local.get $outC)))
                (i32.store16 (local.get $a) (i32.add (i32.load16_s (local.get $a)) (i32.mul (local.get $value) (i32.load16_s (local.get $w)))))
                (local.set $a (i32.add (local.get $a) (i32.const 2)))
                (local.set $w (i32.add (local.get $w) (i32.const 2)))
                (local.set $co (i32.add (local.get $co) (i32.const 1)))
                (br $tail)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $pairs)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $events))))

;; scatterConv16 of events that each carry one spike (value 1), grouped by source position: for every (output
  ;; position, tap) pair a position reaches, the weight rows of all its events are summed in four registers (32
  ;; channels) and added to the accumulator row once, instead of a load, add and store of the row per event. Same
  ;; proof as scatterConv16 (every partial sum of a neuron's adds within the step fits 16 bits, in any order and
  ;; grouping). counts: pooledPlane + 1 i32 and sorted: count i32, scratch the call overwrites.
  (func (export "scatterConv16Ones")
    (param $axons i32) (param $count i32) (param $pooledPlane i32)
    (param $start i32) (param $outPosition i32) (param $tap i32) (param $weights i32) (param $taps i32) (param $outC i32)
    (param $acc16 i32) (param $counts i32) (param $sorted i32)
    (local $e i32) (local $axon i32) (local $channel i32) (local $at i32) (local $q i32) (local $first i32) (local $last i32)
    (local $j i32) (local $jEnd i32) (local $row i32) (local $tapRow i32) (local $b i32) (local $i i32) (local $w i32)
    (local $sum i32) (local $channelBytes i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local.set $channelBytes (i32.shl (i32.mul (local.get $taps) (local.get $outC)) (i32.const 1)))
    (memory.fill (local.get $counts) (i32.const 0) (i32.shl (i32.add (local.get $pooledPlane) (i32.const 1)) (i32.const 2)))
    ;; Events per position, into counts[position + 1]; then counts[q] is where position q's events start.
    (block $countedDone
      (loop $counted
        (br_if $countedDone (i32.ge_s (local.get $e) (local.get $count)))
        (local.set $at (i32.add (local.get $counts)
          (i32.shl (i32.add (i32.rem_u (i32.load (i32.add (local.get $axons) (i32.shl (local.get $e) (i32.const 2)))) (local.get $pooledPlane)) (i32.const 1)) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $counted)))
    (local.set $q (i32.const 1))
    (block $summedDone
      (loop $summed
        (br_if $summedDone (i32.gt_s (local.get $q) (local.get $pooledPlane)))
        (local.set $at (i32.add (local.get $counts) (i32.shl (local.get $q) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.load offset=0 (i32.sub (local.get $at) (i32.const 4)))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $summed)))
    ;; Each event's weight base (byte offset of its channel's rows) at its position's next slot; afterwards
    ;; counts[q] is where position q's events end.
    (local.set $e (i32.const 0))
    (block $placedDone
      (loop $placed
        (br_if $placedDone (i32.ge_s (local.get $e) (local.get $count)))
        (local.set $axon (i32.load (i32.add (local.get $axons) (i32.shl (local.get $e) (i32.const 2)))))
        (local.set $channel (i32.div_u (local.get $axon) (local.get $pooledPlane)))
        (local.set $at (i32.add (local.get $counts)
          (i32.shl (i32.sub (local.get $axon) (i32.mul (local.get $channel) (local.get $pooledPlane))) (i32.const 2))))
        (i32.store (i32.add (local.get $sorted) (i32.shl (i32.load (local.get $at)) (i32.const 2)))
          (i32.add (local.get $weights) (i32.mul (local.get $channel) (local.get $channelBytes))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $placed)))
    (local.set $q (i32.const 0))
    (block $positionsDone
      (loop $positions
        (br_if $positionsDone (i32.ge_s (local.get $q) (local.get $pooledPlane)))
        (local.set $first (select (i32.const 0) (i32.load offset=0 (i32.sub (i32.add (local.get $counts) (i32.shl (local.get $q) (i32.const 2))) (i32.const 4))) (i32.eqz (local.get $q))))
        (local.set $last (i32.load (i32.add (local.get $counts) (i32.shl (local.get $q) (i32.const 2)))))
        (if (i32.lt_s (local.get $first) (local.get $last))
          (then
            (local.set $j (i32.load (i32.add (local.get $start) (i32.shl (local.get $q) (i32.const 2)))))
            (local.set $jEnd (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $q) (i32.const 2)))))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.ge_s (local.get $j) (local.get $jEnd)))
                (local.set $row (i32.add (local.get $acc16)
                  (i32.shl (i32.mul (i32.load (i32.add (local.get $outPosition) (i32.shl (local.get $j) (i32.const 2)))) (local.get $outC)) (i32.const 1))))
                (local.set $tapRow (i32.shl (i32.mul (i32.load (i32.add (local.get $tap) (i32.shl (local.get $j) (i32.const 2)))) (local.get $outC)) (i32.const 1)))
                (local.set $b (i32.const 0))
                ;; 32 channels at a time: every event's four vectors into four registers, then the row once.
                (block $blocksDone
                  (loop $blocks
                    (br_if $blocksDone (i32.gt_s (i32.add (local.get $b) (i32.const 32)) (local.get $outC)))
                    (local.set $r0 (v128.const i32x4 0 0 0 0))
                    (local.set $r1 (v128.const i32x4 0 0 0 0))
                    (local.set $r2 (v128.const i32x4 0 0 0 0))
                    (local.set $r3 (v128.const i32x4 0 0 0 0))
                    (local.set $i (local.get $first))
                    (block $eventsDone
                      (loop $events
                        (br_if $eventsDone (i32.ge_s (local.get $i) (local.get $last)))
                        (local.set $w (i32.add (i32.load (i32.add (local.get $sorted) (i32.shl (local.get $i) (i32.const 2))))
                          (i32.add (local.get $tapRow) (i32.shl (local.get $b) (i32.const 1)))))
                        (local.set $r0 (i16x8.add (local.get $r0) (v128.load offset=0 (local.get $w))))
                        (local.set $r1 (i16x8.add (local.get $r1) (v128.load offset=16 (local.get $w))))
                        (local.set $r2 (i16x8.add (local.get $r2) (v128.load offset=32 (local.get $w))))
                        (local.set $r3 (i16x8.add (local.get $r3) (v128.load offset=48 (local.get $w))))
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br $events)))
                    (local.set $w (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 1))))
                    (v128.store offset=0 (local.get $w) (i16x8.add (v128.load offset=0 (local.get $w)) (local.get $r0)))
                    (v128.store offset=16 (local.get $w) (i16x8.add (v128.load offset=16 (local.get $w)) (local.get $r1)))
                    (v128.store offset=32 (local.get $w) (i16x8.add (v128.load offset=32 (local.get $w)) (local.get $r2)))
                    (v128.store offset=48 (local.get $w) (i16x8.add (v128.load offset=48 (local.get $w)) (local.get $r3)))
                    (local.set $b (i32.add (local.get $b) (i32.const 32)))
                    (br $blocks)))
                (block $vectorsDone
                  (loop $vectors
                    (br_if $vectorsDone (i32.gt_s (i32.add (local.get $b) (i32.const 8)) (local.get $outC)))
                    (local.set $r0 (v128.const i32x4 0 0 0 0))
                    (local.set $i (local.get $first))
                    (block $eventsDone
                      (loop $events
                        (br_if $eventsDone (i32.ge_s (local.get $i) (local.get $last)))
                        (local.set $r0 (i16x8.add (local.get $r0) (v128.load
                          (i32.add (i32.load (i32.add (local.get $sorted) (i32.shl (local.get $i) (i32.const 2))))
                            (i32.add (local.get $tapRow) (i32.shl (local.get $b) (i32.const 1)))))))
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br $events)))
                    (local.set $w (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 1))))
                    (v128.store (local.get $w) (i16x8.add (v128.load (local.get $w)) (local.get $r0)))
                    (local.set $b (i32.add (local.get $b) (i32.const 8)))
                    (br $vectors)))
                (block $lanesDone
                  (loop $lanes
                    (br_if $lanesDone (i32.ge_s (local.get $b) (local.get $outC)))
                    (local.set $sum (i32.const 0))
                    (local.set $i (local.get $first))
                    (block $eventsDone
                      (loop $events
                        (br_if $eventsDone (i32.ge_s (local.get $i) (local.get $last)))
                        (local.set $sum (i32.add (local.get $sum) (i32.load16_s
                          (i32.add (i32.load (i32.add (local.get $sorted) (i32.shl (local.get $i) (i32.const 2))))
                            (i32.add (local.get $tapRow) (i32.shl (local.get $b) (i32.const 1)))))))
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br $events)))
                    (local.set $w (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 1))))
                    (i32.store16 (local.get $w) (i32.add (i32.load16_s (local.get $w)) (local.get $sum)))
                    (local.set $b (i32.add (local.get $b) (i32.const 1)))
                    (br $lanes)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $pairs)))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $positions))))

  ;; acc[i] += acc16[i] (sign-extended) and acc16[i] = 0 for i < count, eight at a time (both padded to 8 lanes).
  (func (export "widenInto") (param $acc16 i32) (param $acc i32) (param $count i32)
    (local $i i32) (local $h v128)
    (block $done
      (loop $widen
        (br_if $done (i32.ge_s (local.get $i) (local.get $count)))
        (local.set $h (v128.load (i32.add (local.get $acc16) (i32.shl (local.get $i) (i32.const 1)))))
        (v128.store (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 2)))
          (i32x4.add (v128.load (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 2)))) (i32x4.extend_low_i16x8_s (local.get $h))))
        (v128.store offset=16 (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 2)))
          (i32x4.add (v128.load offset=16 (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 2)))) (i32x4.extend_high_i16x8_s (local.get $h))))
        (v128.store (i32.add (local.get $acc16) (i32.shl (local.get $i) (i32.const 1))) (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $widen))))

  ;; acc row += acc16 row (sign-extended), and the acc16 row cleared: `lanes` lanes from byte offsets acc16Row, accRow.
  (func $widenRow (param $acc16Row i32) (param $accRow i32) (param $lanes i32)
    (local $co i32) (local $vectorEnd i32) (local $h v128)
    (local.set $vectorEnd (i32.and (local.get $lanes) (i32.const -8)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_s (local.get $co) (local.get $vectorEnd)))
        (local.set $h (v128.load (local.get $acc16Row)))
        (v128.store (local.get $accRow) (i32x4.add (v128.load (local.get $accRow)) (i32x4.extend_low_i16x8_s (local.get $h))))
        (v128.store offset=16 (local.get $accRow) (i32x4.add (v128.load offset=16 (local.get $accRow)) (i32x4.extend_high_i16x8_s (local.get $h))))
        (v128.store (local.get $acc16Row) (v128.const i32x4 0 0 0 0))
        (local.set $acc16Row (i32.add (local.get $acc16Row) (i32.const 16)))
        (local.set $accRow (i32.add (local.get $accRow) (i32.const 32)))
        (local.set $co (i32.add (local.get $co) (i32.const 8)))
        (br $vectors)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_s (local.get $co) (local.get $lanes)))
        (i32.store (local.get $accRow) (i32.add (i32.load (local.get $accRow)) (i32.load16_s (local.get $acc16Row))))
        (i32.store16 (local.get $acc16Row) (i32.const 0))
        (local.set $acc16Row (i32.add (local.get $acc16Row) (i32.const 2)))
        (local.set $accRow (i32.add (local.get $accRow) (i32.const 4)))
        (local.set $co (i32.add (local.get $co) (i32.const 1)))
        (br $tail))))

  ;; scatterConv with 16-bit lanes, eight output channels per vector, for a layer whose weights fit int16 but whose
  ;; sums cannot be shown to fit 16 bits up front (scatterConv16's proof): a running bound keeps every lane exact.
  ;; bound[p] (i32 per output position, all 0 between steps) bounds |partial sum| of every channel of row p since
  ;; that row was last widened; tapMax[channel][tap] (i32) is the largest |weight| over the output channels, so an
  ;; event adds at most min(|value|, 2^15) * tapMax to any lane of a row it reaches. When that would take the
  ;; row's bound past 2^15 - 1, the row is widened into acc (int32, [position][outChannel]) first and its bound
  ;; restarts; an add that alone could pass it goes straight into acc as scatterConv adds it. No lane wraps, so
  ;; after widenRows acc holds scatterConv's sums: both are the exact sums modulo 2^32, whatever the order of adds.
  ;; (|value| * |weight| <= 2^15 - 1 with a non-zero weight keeps value within int16, so its splat is exact.)
  (func (export "scatterConvBounded")
    (param $axons i32) (param $values i32) (param $count i32) (param $pooledPlane i32)
    (param $start i32) (param $outPosition i32) (param $tap i32) (param $weights i32) (param $taps i32) (param $outC i32)
    (param $acc16 i32) (param $acc i32) (param $bound i32) (param $tapMax i32)
    (local $e i32) (local $axon i32) (local $value i32) (local $magnitude i32) (local $channel i32) (local $position i32)
    (local $base i32) (local $maxima i32) (local $j i32) (local $jEnd i32) (local $k i32) (local $p i32) (local $row i32)
    (local $w i32) (local $a i32) (local $a32 i32) (local $add i32) (local $at i32) (local $sum i32)
    (local $co i32) (local $vectorEnd i32) (local $vectorEnd4 i32) (local $valueV v128)
    (local.set $vectorEnd (i32.and (local.get $outC) (i32.const -8)))
    (local.set $vectorEnd4 (i32.and (local.get $outC) (i32.const -32)))
    (block $eventsDone
      (loop $events
        (br_if $eventsDone (i32.ge_s (local.get $e) (local.get $count)))
        (local.set $axon (i32.load (i32.add (local.get $axons) (i32.shl (local.get $e) (i32.const 2)))))
        (local.set $value (i32.load (i32.add (local.get $values) (i32.shl (local.get $e) (i32.const 2)))))
        (local.set $valueV (i16x8.splat (local.get $value)))
        ;; min(|value|, 2^15) as unsigned (|-2^31| is 2^31 unsigned), so magnitude * tapMax stays below 2^31.
        (local.set $magnitude (select (i32.sub (i32.const 0) (local.get $value)) (local.get $value) (i32.lt_s (local.get $value) (i32.const 0))))
        (local.set $magnitude (select (local.get $magnitude) (i32.const 0x8000) (i32.lt_u (local.get $magnitude) (i32.const 0x8000))))
        (local.set $channel (i32.div_u (local.get $axon) (local.get $pooledPlane)))
        (local.set $position (i32.sub (local.get $axon) (i32.mul (local.get $channel) (local.get $pooledPlane))))
        (local.set $base (i32.mul (i32.mul (local.get $channel) (local.get $taps)) (local.get $outC)))
        (local.set $maxima (i32.add (local.get $tapMax) (i32.shl (i32.mul (local.get $channel) (local.get $taps)) (i32.const 2))))
        (local.set $j (i32.load (i32.add (local.get $start) (i32.shl (local.get $position) (i32.const 2)))))
        (local.set $jEnd (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $position) (i32.const 2)))))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $j) (local.get $jEnd)))
            (block $pairDone
              (local.set $k (i32.load (i32.add (local.get $tap) (i32.shl (local.get $j) (i32.const 2)))))
              (local.set $p (i32.load (i32.add (local.get $outPosition) (i32.shl (local.get $j) (i32.const 2)))))
              (local.set $row (i32.mul (local.get $p) (local.get $outC)))
              (local.set $w (i32.add (local.get $weights) (i32.shl (i32.add (local.get $base) (i32.mul (local.get $k) (local.get $outC))) (i32.const 1))))
              (local.set $a (i32.add (local.get $acc16) (i32.shl (local.get $row) (i32.const 1))))
              (local.set $add (i32.mul (local.get $magnitude) (i32.load (i32.add (local.get $maxima) (i32.shl (local.get $k) (i32.const 2))))))
              (local.set $at (i32.add (local.get $bound) (i32.shl (local.get $p) (i32.const 2))))
              (local.set $sum (i32.add (i32.load (local.get $at)) (local.get $add)))
              (if (i32.gt_u (local.get $sum) (i32.const 0x7fff))
                (then
                  (local.set $a32 (i32.add (local.get $acc) (i32.shl (local.get $row) (i32.const 2))))
                  (if (i32.gt_u (local.get $add) (i32.const 0x7fff))
                    (then
                      ;; Too large for any lane: this pair in 32 bits, into acc.
                      (local.set $co (i32.const 0))
                      (block $wideDone
                        (loop $wide
                          (br_if $wideDone (i32.ge_s (local.get $co) (local.get $outC)))
                          (i32.store (local.get $a32) (i32.add (i32.load (local.get $a32)) (i32.mul (local.get $value) (i32.load16_s (local.get $w)))))
                          (local.set $a32 (i32.add (local.get $a32) (i32.const 4)))
                          (local.set $w (i32.add (local.get $w) (i32.const 2)))
                          (local.set $co (i32.add (local.get $co) (i32.const 1)))
                          (br $wide)))
                      (br $pairDone)))
                  (call $widenRow (local.get $a) (local.get $a32) (local.get $outC))
                  (local.set $sum (local.get $add))))
              (i32.store (local.get $at) (local.get $sum))
              (local.set $co (i32.const 0))
              (if (i32.eq (local.get $value) (i32.const 1))
                (then
                  (block $fourOnesDone
                    (loop $fourOnes
                      (br_if $fourOnesDone (i32.ge_s (local.get $co) (local.get $vectorEnd4)))
                      (v128.store (local.get $a) (i16x8.add (v128.load (local.get $a)) (v128.load (local.get $w))))
                      (v128.store offset=16 (local.get $a) (i16x8.add (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $w))))
                      (v128.store offset=32 (local.get $a) (i16x8.add (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $w))))
                      (v128.store offset=48 (local.get $a) (i16x8.add (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $w))))
                      (local.set $a (i32.add (local.get $a) (i32.const 64)))
                      (local.set $w (i32.add (local.get $w) (i32.const 64)))
                      (local.set $co (i32.add (local.get $co) (i32.const 32)))
                      (br $fourOnes)))
                  (block $onesDone
                    (loop $ones
                      (br_if $onesDone (i32.ge_s (local.get $co) (local.get $vectorEnd)))
                      (v128.store (local.get $a) (i16x8.add (v128.load (local.get $a)) (v128.load (local.get $w))))
                      (local.set $a (i32.add (local.get $a) (i32.const 16)))
                      (local.set $w (i32.add (local.get $w) (i32.const 16)))
                      (local.set $co (i32.add (local.get $co) (i32.const 8)))
                      (br $ones))))
                (else
                  (block $fourScaledDone
                    (loop $fourScaled
                      (br_if $fourScaledDone (i32.ge_s (local.get $co) (local.get $vectorEnd4)))
                      (v128.store (local.get $a) (i16x8.add (v128.load (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load (local.get $w)))))
                      (v128.store offset=16 (local.get $a) (i16x8.add (v128.load offset=16 (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load offset=16 (local.get $w)))))
                      (v128.store offset=32 (local.get $a) (i16x8.add (v128.load offset=32 (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load offset=32 (local.get $w)))))
                      (v128.store offset=48 (local.get $a) (i16x8.add (v128.load offset=48 (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load offset=48 (local.get $w)))))
                      (local.set $a (i32.add (local.get $a) (i32.const 64)))
                      (local.set $w (i32.add (local.get $w) (i32.const 64)))
                      (local.set $co (i32.add (local.get $co) (i32.const 32)))
                      (br $fourScaled)))
                  (block $scaledDone
                    (loop $scaled
                      (br_if $scaledDone (i32.ge_s (local.get $co) (local.get $vectorEnd)))
                      (v128.store (local.get $a) (i16x8.add (v128.load (local.get $a)) (i16x8.mul (local.get $valueV) (v128.load (local.get $w)))))
                      (local.set $a (i32.add (local.get $a) (i32.const 16)))
                      (local.set $w (i32.add (local.get $w) (i32.const 16)))
                      (local.set $co (i32.add (local.get $co) (i32.const 8)))
                      (br $scaled)))))
              (block $tailDone
                (loop $tail
                  (br_if $tailDone (i32.ge_s (local.get $co) (local.get $outC)))
                  (i32.store16 (local.get $a) (i32.add (i32.load16_s (local.get $a)) (i32.mul (local.get $value) (i32.load16_s (local.get $w)))))
                  (local.set $a (i32.add (local.get $a) (i32.const 2)))
                  (local.set $w (i32.add (local.get $w) (i32.const 2)))
                  (local.set $co (i32.add (local.get $co) (i32.const 1)))
                  (br $tail))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $pairs)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $events))))

  ;; The end of a scatterConvBounded step: every row with a non-zero bound widened into acc, its bound reset to 0.
  (func (export "widenRows") (param $acc16 i32) (param $acc i32) (param $bound i32) (param $positions i32) (param $outC i32)
    (local $p i32) (local $at i32) (local $row i32)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $p) (local.get $positions)))
        (local.set $at (i32.add (local.get $bound) (i32.shl (local.get $p) (i32.const 2))))
        (if (i32.load (local.get $at))
          (then
            (local.set $row (i32.mul (local.get $p) (local.get $outC)))
            (call $widenRow
              (i32.add (local.get $acc16) (i32.shl (local.get $row) (i32.const 1)))
              (i32.add (local.get $acc) (i32.shl (local.get $row) (i32.const 2)))
              (local.get $outC))
            (i32.store (local.get $at) (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rows))))

  ;; ---- The CUBA free run, a share's steps in one call (simulator/free-run/free-run-wasm.ts lays the memory out). ----
  ;; Header, i32 words at byte offsets: 0 neurons, 4 acc16, 8 steps, 12 hold, 16 shares, 20 u, 24 v, 28 bias,
  ;; 32 refractory, 36 flags, 40 acc (the layer's accumulator), 44 trusted (lifStep's promise holds for the whole
  ;; run), 48 constants ([steps][7]), 52 progress (one word per share, 64 bytes apart), 56 sleepers (how many
  ;; threads sleep in wait32), 60 records (one 512-byte record per share).
  ;; A share's record: 0 from, 4 to, 8 rowStart and 12 words (its part of every row: the synapses onto its
  ;; neurons), 16 and 20 its spike lists of even and odd steps, 24 segments, 28 segmentCount, 32 delivered,
  ;; 36 coreSpikes, 40 coreInactive; then, on a cache line of its own because only its share writes them:
  ;; 64 and 68 how many it fired at its last even and odd step, 72 spikes, 80 events (i64); 256 lifStep's scratch.

  ;; Waits until the progress word at `at` is at least `value`: spins about one step's time, then sleeps in wait32,
  ;; counted in `sleepers` so that a publisher notifies only when somebody sleeps. With a free core for each thread
  ;; the other one arrives sooner than a wake-up would take (measured in JavaScript: 2,000 spins slept up to 250
  ;; times in a 1,000-step run and ran ~10 % slower; 20,000 a few times; 100,000 gained nothing more).
  (func $waitUntilAtLeast (param $at i32) (param $value i32) (param $sleepers i32)
    (local $k i32) (local $seen i32)
    (loop $spin
      (if (i32.ge_s (i32.atomic.load (local.get $at)) (local.get $value)) (then (return)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $spin (i32.lt_u (local.get $k) (i32.const 200000))))
    (loop $sleep
      (local.set $seen (i32.atomic.load (local.get $at)))
      (if (i32.ge_s (local.get $seen) (local.get $value)) (then (return)))
      (drop (i32.atomic.rmw.add (local.get $sleepers) (i32.const 1)))
      ;; Returns at once when the word has changed since the load (a publish in between): no wake-up is lost.
      (drop (memory.atomic.wait32 (local.get $at) (local.get $seen) (i64.const -1)))
      (drop (i32.atomic.rmw.sub (local.get $sleepers) (i32.const 1)))
      (br $sleep)))

  ;; Stores a progress word; wakes its sleepers, if any thread sleeps (seq-cst: a sleeper counted after this load
  ;; finds the new value in its wait32 and does not sleep).
  (func $publish (param $at i32) (param $value i32) (param $sleepers i32)
    (i32.atomic.store (local.get $at) (local.get $value))
    (if (i32.atomic.load (local.get $sleepers))
      (then (drop (memory.atomic.notify (local.get $at) (i32.const -1))))))

;; Steps [first, last) of one share: wait for every other share to have finished step t - 1, deliver every
  ;; share's spikes of step t - 1 through this share's parts of their rows into its range of the accumulator, then
  ;; the LIF update of its neurons with the refractory period (which reads and clears that range), and publish
  ;; t + 1. A share fires step t into its list of t's parity while the others may still read its list of t - 1;
  ;; it cannot fire t + 1 (the same list) before they have published t, that is, read it.
  (func (export "freeRunSteps") (param $h i32) (param $share i32) (param $first i32) (param $last i32)
    (local $t i32) (local $j i32) (local $shares i32) (local $me i32) (local $other i32) (local $from i32) (local $size i32)
    (local $acc16 i32) (local $accBytes i32) (local $offset i32) (local $mine i32) (local $acc i32)
    (local $c i32) (local $now i32) (local $before i32) (local $fired i32) (local $events i32)
    (local $progress i32) (local $sleepers i32) (local $records i32)
    (local.set $shares (i32.load offset=16 (local.get $h)))
    (local.set $acc16 (i32.load offset=4 (local.get $h)))
    (local.set $accBytes (select (i32.const 2) (i32.const 4) (local.get $acc16)))
    (local.set $acc (i32.load offset=40 (local.get $h)))
    (local.set $progress (i32.load offset=52 (local.get $h)))
    (local.set $sleepers (i32.load offset=56 (local.get $h)))
    (local.set $records (i32.load offset=60 (local.get $h)))
    (local.set $me (i32.add (local.get $records) (i32.shl (local.get $share) (i32.const 9))))
    (local.set $from (i32.load (local.get $me)))
    (local.set $size (i32.sub (i32.load offset=4 (local.get $me)) (local.get $from)))
    (local.set $mine (i32.add (local.get $acc) (i32.mul (local.get $accBytes) (local.get $from))))
    (local.set $offset (i32.shl (local.get $from) (i32.const 2)))
    (local.set $t (local.get $first))
    (block $done
      (loop $steps
        (br_if $done (i32.ge_s (local.get $t) (local.get $last)))
        (local.set $j (i32.const 0))
        (block $waited
          (loop $wait
            (br_if $waited (i32.ge_s (local.get $j) (local.get $shares)))
            (if (i32.ne (local.get $j) (local.get $share))
              (then (call $waitUntilAtLeast (i32.add (local.get $progress) (i32.shl (local.get $j) (i32.const 6))) (local.get $t) (local.get $sleepers))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $wait)))
        ;; Byte offsets of this step's parity and the previous one's within a record's pairs (lists, counts).
        (local.set $now (i32.shl (i32.and (local.get $t) (i32.const 1)) (i32.const 2)))
        (local.set $before (i32.xor (local.get $now) (i32.const 4)))
        (local.set $events (i32.const 0))
        (local.set $j (i32.const 0))
        (block $delivered
          (loop $deliver
            (br_if $delivered (i32.ge_s (local.get $j) (local.get $shares)))
            (local.set $other (i32.add (i32.add (local.get $records) (i32.shl (local.get $j) (i32.const 9))) (local.get $before)))
            ;; Each source's deliveries are counted once, by the share that owns it.
            (local.set $c (select (i32.load offset=32 (local.get $me)) (i32.const 0) (i32.eq (local.get $j) (local.get $share))))
            (local.set $events
              (i32.add (local.get $events)
                (if (result i32) (local.get $acc16)
                  (then (call $deliverSparse16 (i32.load offset=16 (local.get $other)) (i32.load offset=64 (local.get $other))
                    (i32.load offset=8 (local.get $me)) (i32.load offset=12 (local.get $me)) (local.get $acc) (i32.const 0) (local.get $c)))
                  (else (call $deliverSparse (i32.load offset=16 (local.get $other)) (i32.load offset=64 (local.get $other))
                    (i32.load offset=8 (local.get $me)) (i32.load offset=12 (local.get $me)) (local.get $acc) (i32.const 0) (local.get $c))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $deliver)))
        (i64.store offset=80 (local.get $me) (i64.add (i64.load offset=80 (local.get $me)) (i64.extend_i32_u (local.get $events))))
        (local.set $c (i32.add (i32.load offset=48 (local.get $h)) (i32.mul (local.get $t) (i32.const 28))))
        (local.set $fired
          (call $lifStep
            (i32.add (i32.load offset=20 (local.get $h)) (local.get $offset))
            (i32.add (i32.load offset=24 (local.get $h)) (local.get $offset))
            (local.get $mine)
            (i32.add (i32.load offset=28 (local.get $h)) (local.get $offset))
            (local.get $size)
            (i32.load offset=24 (local.get $me)) (i32.load offset=28 (local.get $me))
            (i32.load offset=36 (local.get $me)) (i32.load offset=40 (local.get $me))
            (i32.load offset=36 (local.get $h))
            (i32.load offset=16 (i32.add (local.get $me) (local.get $now)))
            (i32.load offset=16 (i32.add (local.get $me) (local.get $before)))
            (i32.load offset=64 (i32.add (local.get $me) (local.get $before)))
            (i32.load (local.get $c)) (i32.load offset=4 (local.get $c)) (i32.load offset=8 (local.get $c))
            (i32.load offset=12 (local.get $c)) (i32.load offset=16 (local.get $c)) (i32.load offset=20 (local.get $c))
            (i32.load offset=24 (local.get $c))
            (i32.add (i32.load offset=32 (local.get $h)) (local.get $offset))
            (i32.load offset=12 (local.get $h)) (local.get $from) (local.get $acc16) (i32.load offset=44 (local.get $h)) (i32.add (local.get $me) (i32.const 256))))
        (memory.fill (local.get $mine) (i32.const 0) (i32.mul (local.get $size) (local.get $accBytes)))
        (i32.store offset=64 (i32.add (local.get $me) (local.get $now)) (local.get $fired))
        (i32.store offset=72 (local.get $me) (i32.add (i32.load offset=72 (local.get $me)) (local.get $fired)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (call $publish (i32.add (local.get $progress) (i32.shl (local.get $share) (i32.const 6))) (local.get $t) (local.get $sleepers))
        (br $steps))))
)
