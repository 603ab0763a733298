(defprog p (:type :xdp)
  (let ((x u128 1)) ; error@12: u128
    (if x XDP_PASS XDP_DROP)))
