;; 2^64 does not fit in 64 bits: silently wrapping it to 0 would change the program.
(defprog p (:type :xdp)
  (if (= (ktime-get-ns) 18446744073709551616) XDP_DROP XDP_PASS)) ; error@25: 18446744073709551616
