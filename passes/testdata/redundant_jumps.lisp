;; RUN: --passes=redundant-jumps --emit=asm
;; Jumps to the next instruction disappear.
(defprog p (:type :xdp)
  (if (load u8 (xdp-data) 0) XDP_PASS XDP_PASS))
