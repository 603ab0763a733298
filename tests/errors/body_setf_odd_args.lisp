(defprog p (:type :xdp)
  (let ((x 1) (y 2))
    (setf x 3 y) ; error@5: even
    (if (+ x y) XDP_PASS XDP_DROP)))
