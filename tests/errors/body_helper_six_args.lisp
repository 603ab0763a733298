;; BPF helpers take at most five arguments.
(defprog p (:type :xdp)
  (trace-printk 1 2 3 4 5 6) ; error@3: trace-printk
  XDP_PASS)
