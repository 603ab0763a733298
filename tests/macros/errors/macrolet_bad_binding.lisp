;; A MACROLET binding whose name is not a symbol.
(defprog p (:type :xdp)
  (macrolet ((1 (x) x)) ;; error: Bad MACROLET binding
    XDP_PASS))
