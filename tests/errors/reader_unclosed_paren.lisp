;; A defprog whose opening paren is never closed: the error points at that paren.
(defmap hits :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog count (:type :xdp) ; error@1: never closed
  (incf (getmap hits 0))
  XDP_PASS
