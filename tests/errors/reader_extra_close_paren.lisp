;; One ')' too many after a complete program.
(defprog p (:type :xdp)
  XDP_PASS)) ; error@12: unmatched ')'
