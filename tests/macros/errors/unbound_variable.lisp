;; A misspelt variable in a macro body: an unbound compile-time variable, named in the message.
(defmacro check-ports (tcp &rest ports) ;; note: in macro "CHECK-PORTS"
  `(or ,@(mapcar (lambda (p) `(= (tcp-dst-port ,tcp) ,p)) prots))) ;; error: Unbound variable "PROTS"

(defprog p (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (check-ports tcp 80 443) ;; note: in expansion of macro "check-ports"
      (return XDP_DROP)))
  XDP_PASS)
