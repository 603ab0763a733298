;; The call's argument does not match the macro's destructuring pattern (value low high).
(defmacro when-in-range ((value lo hi) &body body) ;; note: in macro "WHEN-IN-RANGE"
  `(when (and (>= ,value ,lo) (<= ,value ,hi)) ,@body))

(defprog p (:type :xdp)
  (with-tcp (data data-end tcp)
    (when-in-range ((tcp-dst-port tcp) 1024) ;; error: when-in-range
      (return XDP_DROP)))
  XDP_PASS)
