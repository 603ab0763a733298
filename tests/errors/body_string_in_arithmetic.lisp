(defprog p (:type :xdp)
  (if (> (+ "10" 1) 5) XDP_DROP XDP_PASS)) ; error@13: string
