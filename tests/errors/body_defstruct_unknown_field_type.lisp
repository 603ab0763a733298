(defstruct rec
  (a u32)
  (b float)) ; error@6: float
(defprog p (:type :xdp)
  (let ((r (make-rec)))
    (if (rec-a r) XDP_PASS XDP_DROP)))
