(defprog p (:type :xdp)
  (let ((total 0))
    (setf totl (+ total 1)) ; error@11: totl
    (if total XDP_PASS XDP_DROP)))
