(defprog p (:type :xdp)
  (let ((data (xdp-data)))
    (if (load u24 data 0) XDP_DROP XDP_PASS))) ; error@15: u24
