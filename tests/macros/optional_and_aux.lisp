;; &OPTIONAL with a default and a supplied-p variable, and &AUX computing a derived value once
;; from the other parameters.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 2)

(defmacro port-verdict (port &optional (verdict 'XDP_DROP verdict-p)
                        &aux (label (if verdict-p 1 0)))
  `(progn
     (setf (getmap out ,label) ,port)
     (when (= (tcp-dst-port tcp) ,port) (return ,verdict))))

(defprog optional (:type :xdp)
  (with-tcp (data data-end tcp)
    (port-verdict 22)
    (port-verdict 80 XDP_TX))
  XDP_PASS)

;; expect-expansion: (map-update out 0 22 0) (if (= (ntohs (load u16 tcp 2)) 22) (progn (return xdp_drop)))
;; expect-expansion: (map-update out 1 80 0) (if (= (ntohs (load u16 tcp 2)) 80) (progn (return xdp_tx)))
;; expect-run: tcp:22 => XDP_DROP
;; expect-run: tcp:80 => XDP_TX
;; expect-run: tcp:443 => XDP_PASS
;; expect-map: out[0] = 22
;; expect-map: out[1] = 80
