(defprog p (:type :xdp)
  (let ((x (ktime-get-ns)))
    (if (> (/ x 0) 1) XDP_DROP XDP_PASS))) ; error: zero
