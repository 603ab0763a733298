;; RUN: --passes=tail-merge,jump-thread --emit=asm
;; After tail merging, jumps that land on a lone `exit` become `exit` and a conditional jump
;; over a `goto` is inverted.
(defprog p (:type :xdp)
  (let ((x (load u8 (xdp-data) 0)))
    (cond ((= x 1) XDP_DROP)
          ((= x 2) XDP_TX)
          ((= x 3) XDP_DROP)
          (t XDP_PASS))))
