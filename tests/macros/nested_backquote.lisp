;; Backquote nested two levels deep (and a third inside the inner lambda): DEF-PORT-SET writes
;; a macro whose expansion splices the port list captured with ',ports.
(defmacro def-port-set (name &rest ports)
  `(defmacro ,name (port-form)
     `(or ,@(mapcar (lambda (p) `(= ,port-form ,p)) ',ports))))

(def-port-set mail-port-p 25 465 587)
(def-port-set web-port-p 80 443)

(defprog sets (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((dport (tcp-dst-port tcp)))
      (cond ((mail-port-p dport) XDP_DROP)
            ((web-port-p dport) XDP_TX)
            (t XDP_PASS)))))

;; expect-expansion: (if (or (= dport 25) (= dport 465) (= dport 587)) (progn xdp_drop)
;;|                   (if (or (= dport 80) (= dport 443)) (progn xdp_tx) (progn xdp_pass)))
;; expect-run: tcp:25 => XDP_DROP
;; expect-run: tcp:587 => XDP_DROP
;; expect-run: tcp:443 => XDP_TX
;; expect-run: tcp:22 => XDP_PASS
