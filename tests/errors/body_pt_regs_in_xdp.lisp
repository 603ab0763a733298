(defprog p (:type :xdp)
  (if (= (pt-regs-parm1) 0) XDP_DROP XDP_PASS)) ; error@10: kprobe
