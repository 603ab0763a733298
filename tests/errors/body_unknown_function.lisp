(defprog p (:type :xdp)
  (let ((now (ktime-get-ns)))
    (frobnicate now) ; error@5: frobnicate
    XDP_PASS))
