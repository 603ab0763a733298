(defprog p (:type :xdp)
  (let ((x 1))
    (if ,x XDP_DROP XDP_PASS))) ; error@9: backquote
