;; BPF has no floating point: a float literal in arithmetic is an error.
(defprog p (:type :xdp)
  (let ((t0 (ktime-get-ns)))
    (if (> t0 (* 12.5 1000)) XDP_PASS XDP_DROP))) ; error@18: 12.5
