;; EVAL-WHEN with :load-toplevel keeps its body at top level (CLHS 3.2.3.1), so a DEFMAP and a
;; DEFMACRO wrapped in it, as Common Lisp code often does, both take effect.
(eval-when (:compile-toplevel :load-toplevel :execute)
  (defmap hits :type :array :key-size 4 :value-size 8 :max-entries 1)
  (defmacro bump () `(incf (getmap hits 0))))

(defprog count (:type :xdp)
  (bump)
  XDP_PASS)

;; expect-run: arp x3 => XDP_PASS
;; expect-map: hits[0] = 3
