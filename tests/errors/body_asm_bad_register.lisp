;; BPF has registers r0..r10: 11 is out of range.
(defprog p (:type :xdp)
  (asm #xb7 11 0 0 2) ; error: register
  XDP_PASS)
