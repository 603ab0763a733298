;; A macro computing with a DEFCONSTANT at expansion time, as it can when the file is loaded
;; into Common Lisp: X11 displays 0..N-1 listen on 6000+N.
(defconstant +base-port+ 6000)

(defmacro x11-port-p (port displays)
  `(and (>= ,port ,+base-port+) (< ,port ,(+ +base-port+ displays))))

(defprog no-x11 (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (x11-port-p (tcp-dst-port tcp) 64)
      (return XDP_DROP)))
  XDP_PASS)

;; expect-expansion: (and (>= (ntohs (load u16 tcp 2)) 6000) (< (ntohs (load u16 tcp 2)) 6064))
;; expect-run: tcp:6000 => XDP_DROP
;; expect-run: tcp:6063 => XDP_DROP
;; expect-run: tcp:6064 => XDP_PASS
