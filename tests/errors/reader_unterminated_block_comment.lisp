;; error-line: 5: unterminated block comment
;; A #| comment opened on line 5 and never closed.
(defprog p (:type :xdp)
  XDP_PASS)
#| the rest of this file
   was meant to be commented out
(defprog q (:type :xdp) XDP_DROP)
