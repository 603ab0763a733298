;; A macro that calls MACROEXPAND-1 on a call of itself recurses inside the interpreter; the
;; depth budget stops it, inside the macro.
(defmacro selfish (x) ;; note: in macro "SELFISH"
  (macroexpand-1 `(selfish ,x))) ;; error: Compile-time recursion too deep

(defprog p (:type :xdp)
  (if (selfish 1) XDP_PASS XDP_DROP)) ;; note: in expansion of macro "selfish"
