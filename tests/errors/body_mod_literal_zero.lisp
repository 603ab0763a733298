(defprog p (:type :xdp)
  (let ((x (ktime-get-ns)))
    (if (mod x 0) XDP_DROP XDP_PASS))) ; error: zero
