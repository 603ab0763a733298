(defprog p (:type :xdpp) ; error@19: Unknown program type
  XDP_PASS)
