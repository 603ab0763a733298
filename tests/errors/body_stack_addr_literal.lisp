;; stack-addr takes a variable, not a number.
(defprog p (:type :xdp)
  (let ((buf 0))
    (probe-read-kernel (stack-addr 5) 8 0) ; error: stack-addr
    (if buf XDP_PASS XDP_DROP)))
