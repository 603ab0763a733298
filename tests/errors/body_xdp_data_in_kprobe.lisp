;; A kprobe has a pt_regs context, not packet data.
(defprog p (:type :kprobe :section "kprobe/do_sys_openat2")
  (if (xdp-data) 0 1)) ; error@7: xdp
