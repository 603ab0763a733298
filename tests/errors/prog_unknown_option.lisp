(defprog p (:type :xdp :priority 3) ; error@24: :priority
  XDP_PASS)
