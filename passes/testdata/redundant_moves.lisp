;; RUN: --passes=redundant-moves --emit=asm
;; The map address and the constant 1 are loaded again into registers that still hold them
;; (no call in between): the second loads go.
(defmap m :type :array :key-size 4 :value-size 8 :max-entries 4)
(defprog p (:type :xdp)
  (let ((v (getmap m 0)))
    (when v
      (atomic-add v 0 1)
      (atomic-add v 0 1)))
  XDP_PASS)
