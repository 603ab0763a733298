;; Destructuring lambda lists: a macro whose first parameter is a (value low high) list, and
;; a rule table walked with LOOP's destructuring `for ((lo hi) verdict) in …`.
(defmacro when-in-range ((value lo hi) &body body)
  `(when (and (>= ,value ,lo) (<= ,value ,hi)) ,@body))

(defmacro port-rules (port &rest rules)
  `(progn
     ,@(loop for ((lo hi) verdict) in rules
             collect `(when-in-range (,port ,lo ,hi) (return ,verdict)))))

(defprog rules (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((dport (tcp-dst-port tcp)))
      (port-rules dport
        ((1 1023) XDP_PASS)
        ((6000 6063) XDP_DROP)
        ((8000 8999) XDP_TX))))
  XDP_ABORTED)

;; expect-expansion: (if (and (>= dport 1) (<= dport 1023)) (progn (return xdp_pass)))
;; expect-expansion: (if (and (>= dport 8000) (<= dport 8999)) (progn (return xdp_tx)))
;; expect-run: tcp:80 => XDP_PASS
;; expect-run: tcp:6010 => XDP_DROP
;; expect-run: tcp:8080 => XDP_TX
;; expect-run: tcp:5000 => XDP_ABORTED
;; expect-run: udp:80 => XDP_PASS
