;; The verifier needs a bound: dotimes counts must be compile-time constants.
(defprog p (:type :xdp)
  (let ((n (ktime-get-ns))
        (acc 0))
    (dotimes (i n) ; error: constant
      (setf acc (+ acc i)))
    (if acc XDP_PASS XDP_DROP)))
