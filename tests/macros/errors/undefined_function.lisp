;; A macro calling a compile-time function that was never defined.
(defmacro ports-of (name) ;; note: in macro "PORTS-OF"
  (lookup-service-ports name)) ;; error: Undefined function "LOOKUP-SERVICE-PORTS"

(defprog p (:type :xdp)
  (if (= (ports-of "ssh") 22) XDP_DROP XDP_PASS)) ;; note: in expansion of macro "ports-of"
