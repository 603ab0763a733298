;; RUN: --passes=imm-forms --emit=asm
;; Input from the back end rarely needs this (instruction selection already picks immediate
;; forms); the listing shows the pass leaves correct code alone.
(defprog p (:type :xdp)
  (let ((x (load u8 (xdp-data) 0)))
    (if (> (+ x 7) 100) XDP_DROP XDP_PASS)))
