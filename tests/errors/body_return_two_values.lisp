(defprog p (:type :xdp)
  (when (> (ktime-get-ns) 5)
    (return 1 2)) ; error@5: return
  XDP_PASS)
