;; RUN: --passes=stack-coloring
;; Two 16-byte structs whose contents are never live at the same time share one slot.
(defstruct pair (a u64) (b u64))
(defmap m :type :hash :key-size 4 :value-type pair :max-entries 16)
(defprog p (:type :xdp)
  (let ((v (make-pair)))
    (setf (pair-a v) 1)
    (map-update m 0 v BPF_ANY))
  (let ((w (make-pair)))
    (setf (pair-b w) 2)
    (map-update m 1 w BPF_ANY))
  XDP_PASS)
