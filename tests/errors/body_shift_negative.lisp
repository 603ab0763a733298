(defprog p (:type :xdp)
  (let ((x (ktime-get-ns)))
    (if (<< x -1) XDP_DROP XDP_PASS))) ; error@15: -1
