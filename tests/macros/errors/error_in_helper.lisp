;; An ERROR signalled by a helper function two calls below the macro: reported at the user's
;; call, with notes for the whole chain — where it was raised, the function, the macro.
(defun check-service (name table) ;; note: in function "CHECK-SERVICE"
  (or (cdr (assoc name table :test #'string=))
      (error "Unknown service ~s (known: ~{~a~^, ~})" name (mapcar #'car table)))) ;; note: raised while expanding macro "service-port", here

(defmacro service-port (name) ;; note: in macro "SERVICE-PORT"
  (check-service name '(("ssh" . 22) ("dns" . 53))))

(defprog p (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) (service-port "smtp")) ;; error: Unknown service "smtp" (known: ssh, dns)
      (return XDP_DROP)))
  XDP_PASS)
