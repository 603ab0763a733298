;; (error "…") inside a macro: the macro author's message is about the user's call, so the error
;; is placed there; notes show where in the macro it was raised and the macro's definition.
;; cli
(defmacro port (n) ;; note: in macro "PORT"
  (if (<= 0 n 65535)
      n
      (error "Port ~d is out of range (0..65535)" n))) ;; note: raised while expanding macro "port", here

(defprog p (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) (port 70000)) ;; error: Port 70000 is out of range (0..65535)
      (return XDP_DROP)))
  XDP_PASS)
