;; bpf_ktime_get_ns takes no arguments.
(defprog p (:type :xdp)
  (let ((t0 (ktime-get-ns 1))) ; error@13: ktime-get-ns
    (if t0 XDP_PASS XDP_DROP)))
