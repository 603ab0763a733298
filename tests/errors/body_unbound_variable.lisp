(defprog p (:type :xdp)
  (let ((count 3))
    (if (> cuont 2) ; error@12: cuont
        XDP_DROP
        XDP_PASS)))
