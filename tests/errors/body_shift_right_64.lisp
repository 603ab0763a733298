(defprog p (:type :xdp)
  (let ((x (ktime-get-ns)))
    (if (>> x 64) XDP_DROP XDP_PASS))) ; error: shift
