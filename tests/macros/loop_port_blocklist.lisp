;; A macro generating a port blocklist with LOOP: `if … collect … else collect` over a list
;; of single ports and (low high) ranges.
(defmap hits :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro port-blocked-p (port &rest specs)
  `(or ,@(loop for spec in specs
               if (consp spec)
                 collect `(and (>= ,port ,(first spec)) (<= ,port ,(second spec)))
               else
                 collect `(= ,port ,spec))))

(defprog blocklist (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((dport (tcp-dst-port tcp)))
      (when (port-blocked-p dport 23 (6000 6063) 445)
        (incf (getmap hits 0))
        (return XDP_DROP))))
  XDP_PASS)

;; expect-expansion: (or (= dport 23) (and (>= dport 6000) (<= dport 6063)) (= dport 445))
;; expect-run: tcp:23 => XDP_DROP
;; expect-run: tcp:6000 => XDP_DROP
;; expect-run: tcp:6031 => XDP_DROP
;; expect-run: tcp:6063 => XDP_DROP
;; expect-run: tcp:445 => XDP_DROP
;; expect-run: tcp:5999 => XDP_PASS
;; expect-run: tcp:6064 => XDP_PASS
;; expect-run: tcp:22 => XDP_PASS
;; expect-run: udp:23 => XDP_PASS
;; expect-map: hits[0] = 5
