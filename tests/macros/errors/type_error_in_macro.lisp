;; A type error at compile time: CAR of a number, because the macro expects a list of ports
;; and was given one port.
(defmacro first-port (ports) ;; note: in macro "FIRST-PORT"
  (car ports)) ;; error: Function "CAR" expected a list, got 80

(defprog p (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) (first-port 80)) ;; note: in expansion of macro "first-port"
      (return XDP_DROP)))
  XDP_PASS)
