;; SYMBOL-MACROLET in a program body: DPORT and SPORT read as header accessors; a LET that
;; binds DPORT shadows the symbol macro inside its body.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 2)

(defprog dns-from (:type :xdp)
  (with-udp (data data-end udp)
    (symbol-macrolet ((dport (udp-dst-port udp))
                      (sport (udp-src-port udp)))
      (setf (getmap out 0) sport)
      (let ((dport 7))
        (setf (getmap out 1) dport))
      (if (and (= dport 53) (= sport 40000)) XDP_DROP XDP_PASS))))

;; expect-expansion: (map-update out 0 (ntohs (load u16 udp 0)) 0)
;; expect-expansion: (let ((dport 7)) (map-update out 1 dport 0))
;; expect-expansion: (if (and (= (ntohs (load u16 udp 2)) 53) (= (ntohs (load u16 udp 0)) 40000)) xdp_drop xdp_pass)
;; expect-run: udp:53 => XDP_DROP
;; expect-map: out[0] = 40000
;; expect-map: out[1] = 7
;; expect-run: udp:54 => XDP_PASS
;; expect-run: tcp:53 => XDP_PASS
