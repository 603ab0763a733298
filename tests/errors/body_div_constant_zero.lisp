;; The divisor is a defconstant expression that evaluates to 0.
(defconstant +buckets+ 4)
(defprog p (:type :xdp)
  (let ((x (ktime-get-ns)))
    (if (/ x (- +buckets+ 4)) XDP_DROP XDP_PASS))) ; error: zero
