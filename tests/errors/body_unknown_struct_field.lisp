(defstruct flow
  (src u32)
  (dst u32))
(defprog p (:type :xdp)
  (let ((f (make-flow)))
    (setf (flow-src f) 1)
    (if (flow-sport f) XDP_DROP XDP_PASS))) ; error@9: flow-sport
