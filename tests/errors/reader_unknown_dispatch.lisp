;; #q is not a reader macro.
(defprog p (:type :xdp)
  (let ((x #q(1 2))) ; error@12: #q
    (if x XDP_PASS XDP_DROP)))
