;; A MACROLET binding shadows a global macro of the same name, only inside its body; a
;; symbol naming a local macro is not expanded outside it.
(defmacro verdict () 'XDP_PASS)

(defprog shadow (:type :xdp)
  (with-tcp (data data-end tcp)
    (if (= (tcp-dst-port tcp) 80)
        (macrolet ((verdict () 'XDP_DROP))
          (verdict))
        (verdict))))

;; expect-expansion: (if (= (ntohs (load u16 tcp 2)) 80) (progn xdp_drop) xdp_pass)
;; expect-run: tcp:80 => XDP_DROP
;; expect-run: tcp:81 => XDP_PASS
