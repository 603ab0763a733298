;; A make-NAME struct lives on the stack: it is not mapped, so it has no offset (poke's E_no_map).
(defstruct pair (a u32) (b u32))
(defprog p (:type :xdp)
  (let ((v (make-pair)))
    (if (value-offset v) XDP_DROP XDP_PASS))) ; error: mapped
