(defprog p (:type :xdp)
  (let ((x (ktime-get-ns)))
    (if (> x 5)) ; error@5: if
    XDP_PASS))
