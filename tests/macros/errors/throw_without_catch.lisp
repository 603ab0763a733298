;; THROW to a tag no CATCH has established.
(defmacro bail () (throw 'done 0)) ;; error: No CATCH for tag DONE

(defprog p (:type :xdp)
  (bail) ;; note: in expansion of macro "bail"
  XDP_PASS)
