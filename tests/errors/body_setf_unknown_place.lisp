(defprog p (:type :xdp)
  (let ((x 1))
    (setf (foo x) 1) ; error@11: foo
    (if x XDP_PASS XDP_DROP)))
