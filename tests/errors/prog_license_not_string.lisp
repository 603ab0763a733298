(defprog p (:type :xdp :license 42) ; error@33: license
  XDP_PASS)
