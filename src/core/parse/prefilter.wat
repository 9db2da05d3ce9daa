;; The byte prefilter's search (prefilter.ts): every needle in one pass over a file's bytes, where
;; Buffer.indexOf makes one pass per needle. A "Teddy" search (Hyperscan's, as in Rust's
;; aho-corasick crate): each needle has a 3-byte fingerprint and a bucket (one bit of 8); for each
;; 16-byte block, two nibble lookups per fingerprint byte (i8x16.swizzle) give, per position, the
;; buckets whose fingerprint may start there; only such positions are compared byte by byte.
;; scripts/wasm.js assembles this file into prefilterWasm.ts; prefilter.ts fills the tables.
;;
;; Memory: 0..96   for fingerprint byte j (0..2): 16 bytes of low-nibble bucket bits at 32*j,
;;                 16 of high-nibble bits at 32*j+16
;;         96..112 scratch (one block's bucket bits)
;;         128..640 16 needles of 32 bytes: bucket bit, fingerprint offset, length, group bit,
;;                 then up to 28 bytes of the needle
;;         1024..  the data (DATA in prefilter.ts); 32 readable bytes must follow it
(module
  (memory (export "memory") 17)
  (global $needles (mut i32) (i32.const 0))
  (func (export "setNeedles") (param $n i32) (global.set $needles (local.get $n)))

  ;; The group bits of the needles in `bits`' buckets whose fingerprint at $p is part of a whole
  ;; occurrence inside [$ptr, $end).
  (func $verify (param $p i32) (param $ptr i32) (param $end i32) (param $bits i32) (result i32)
    (local $k i32) (local $e i32) (local $s i32) (local $len i32) (local $j i32) (local $found i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (global.get $needles)))
        (local.set $e (i32.add (i32.const 128) (i32.shl (local.get $k) (i32.const 5))))
        (if (i32.and (local.get $bits) (i32.load8_u (local.get $e)))
          (then
            (local.set $s (i32.sub (local.get $p) (i32.load8_u offset=1 (local.get $e))))
            (local.set $len (i32.load8_u offset=2 (local.get $e)))
            ;; $s >= $ptr also rules out a wrap below zero: $ptr is DATA, past the fingerprint offsets
            (if (i32.and (i32.ge_u (local.get $s) (local.get $ptr))
                         (i32.le_u (i32.add (local.get $s) (local.get $len)) (local.get $end)))
              (then
                (local.set $j (i32.const 0))
                (block $differ
                  (loop $cmp
                    (if (i32.ge_u (local.get $j) (local.get $len))
                      (then
                        (local.set $found (i32.or (local.get $found) (i32.load8_u offset=3 (local.get $e))))
                        (br $differ)))
                    (br_if $differ (i32.ne (i32.load8_u (i32.add (local.get $s) (local.get $j)))
                                           (i32.load8_u offset=4 (i32.add (local.get $e) (local.get $j)))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $cmp)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (local.get $found))

  ;; The group bits of `want` with a needle in [$ptr, $ptr + $len); it stops once all are found.
  ;; The lookups are written out (no call per block: V8 did not inline one, 4x slower).
  (func (export "scan") (param $ptr i32) (param $len i32) (param $want i32) (result i32)
    (local $i i32) (local $end i32) (local $m v128) (local $v v128) (local $low v128)
    (local $mask i32) (local $k i32) (local $found i32)
    (local.set $low (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $i (local.get $ptr))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $out
      (loop $blocks
        (br_if $out (i32.ge_u (local.get $i) (local.get $end)))
        ;; per position of the block: the buckets whose fingerprint bytes 0, 1 and 2 match there
        (local.set $m
          (v128.and
            (v128.and
              (v128.and
                (i8x16.swizzle (v128.load (i32.const 0)) (v128.and (local.tee $v (v128.load (local.get $i))) (local.get $low)))
                (i8x16.swizzle (v128.load (i32.const 16)) (i8x16.shr_u (local.get $v) (i32.const 4))))
              (v128.and
                (i8x16.swizzle (v128.load (i32.const 32)) (v128.and (local.tee $v (v128.load offset=1 (local.get $i))) (local.get $low)))
                (i8x16.swizzle (v128.load (i32.const 48)) (i8x16.shr_u (local.get $v) (i32.const 4)))))
            (v128.and
              (i8x16.swizzle (v128.load (i32.const 64)) (v128.and (local.tee $v (v128.load offset=2 (local.get $i))) (local.get $low)))
              (i8x16.swizzle (v128.load (i32.const 80)) (i8x16.shr_u (local.get $v) (i32.const 4))))))
        (if (v128.any_true (local.get $m))
          (then
            (v128.store (i32.const 96) (local.get $m))
            (local.set $mask (i8x16.bitmask (i8x16.ne (local.get $m) (v128.const i32x4 0 0 0 0))))
            (loop $lanes
              (local.set $k (i32.ctz (local.get $mask)))
              (local.set $found (i32.or (local.get $found)
                (call $verify (i32.add (local.get $i) (local.get $k)) (local.get $ptr) (local.get $end)
                              (i32.load8_u offset=96 (local.get $k)))))
              (br_if $out (i32.eq (i32.and (local.get $found) (local.get $want)) (local.get $want)))
              (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
              (br_if $lanes (local.get $mask)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (i32.and (local.get $found) (local.get $want)))
)
