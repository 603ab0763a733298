;; Compile-time arithmetic: bignums reduced to u64, LDB/BYTE, ISQRT, GCD, and a negative result
;; that wraps to u64 in the program (SPEC §3: every value is a u64). CT evaluates its argument
;; at expansion time with EVAL.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 6)

(defmacro ct (form) (eval form))

(defprog arith (:type :xdp)
  (setf (getmap out 0) (ct (mod (expt 3 100) (expt 2 64))))
  (setf (getmap out 1) (ct (ldb (byte 8 8) #xABCD)))
  (setf (getmap out 2) (ct (isqrt 1000000)))
  (setf (getmap out 3) (ct (gcd 84 36)))
  (setf (getmap out 4) (ct (- 5 7)))
  (setf (getmap out 5) (ct (logior (ash 1 63) (logand #xFF00 -256))))
  XDP_PASS)

;; 3^100 mod 2^64 = 15462121228172006353; -2 as u64 = 2^64 - 2; 2^63 + #xFF00 = 9223372036854841088
;; expect-expansion: (map-update out 0 15462121228172006353 0)
;; expect-expansion: (map-update out 1 171 0) (map-update out 2 1000 0) (map-update out 3 12 0)
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 15462121228172006353
;; expect-map: out[1] = 171
;; expect-map: out[2] = 1000
;; expect-map: out[3] = 12
;; expect-map: out[4] = 18446744073709551614
;; expect-map: out[5] = 9223372036854841088
