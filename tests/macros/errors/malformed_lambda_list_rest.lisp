;; A malformed lambda list: &REST with no variable after it. Reported where the macro is
;; defined, before any use.
(defmacro any-port
  (tcp &rest) ;; error: Malformed lambda list: &REST must be followed by a variable
  `(or ,tcp))

(defprog p (:type :xdp)
  XDP_PASS)
