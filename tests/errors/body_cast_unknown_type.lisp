(defprog p (:type :xdp)
  (if (cast u128 (ktime-get-ns)) XDP_PASS XDP_DROP)) ; error@13: u128
