;; RUN: --passes=cross-jump,jump-thread --emit=asm
;; Both drop paths bump a counter the same way after storing different keys: the second path
;; stores its key and jumps into the first one's copy of the rest.
(defmap stats :type :array :key-size 4 :value-size 8 :max-entries 4)
(defprog p (:type :xdp)
  (let ((x (load u8 (xdp-data) 0)))
    (when (= x 1)
      (incf (getmap stats 1))
      (return XDP_DROP))
    (when (= x 2)
      (incf (getmap stats 2))
      (return XDP_DROP)))
  XDP_PASS)
