;; A SYMBOL-MACROLET standing for a map place: INCF and SETF of the symbol act on the place,
;; as in Common Lisp.
(defmap stats :type :array :key-size 4 :value-size 8 :max-entries 2)

(defprog place (:type :xdp)
  (symbol-macrolet ((counter (getmap stats 0)))
    (incf counter)
    (setf (getmap stats 1) counter)
    (setf counter (+ counter 10)))
  XDP_PASS)

;; expect-expansion: (map-update stats 0 (+
;; expect-run: arp => XDP_PASS
;; expect-map: stats[0] = 11
;; expect-map: stats[1] = 1
