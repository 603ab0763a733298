;; WARN in a macro: compilation goes on (the expansion is used) and the message is reported
;; as a warning, so a deprecated macro can tell its users.
(defmacro old-bump (m k)
  (warn "old-bump is deprecated; use (incf (getmap ~(~a~) ~a))" m k)
  `(incf (getmap ,m ,k)))

(defmap hits :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog deprecated (:type :xdp)
  (old-bump hits 0)
  XDP_PASS)

;; expect-warning: old-bump is deprecated; use (incf (getmap hits 0))
;; expect-run: arp => XDP_PASS
;; expect-map: hits[0] = 1
