;; Multiple values at compile time: MULTIPLE-VALUE-BIND over FLOOR, NTH-VALUE, and
;; MULTIPLE-VALUE-LIST of TRUNCATE (which rounds toward zero, unlike FLOOR).
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defmacro store-divmod (a b)
  (multiple-value-bind (q r) (floor a b)
    `(progn (setf (getmap out 0) ,q) (setf (getmap out 1) ,r))))

(defmacro ct (form) (eval form))

(defprog divmod (:type :xdp)
  (store-divmod 1000 7)
  (setf (getmap out 2) (ct (nth-value 1 (floor -7 2))))
  (setf (getmap out 3) (ct (apply #'- (multiple-value-list (truncate -7 2)))))
  XDP_PASS)

;; floor 1000/7 = 142 r 6; floor -7/2 = -4 r 1; truncate -7/2 = -3 r -1, and (- -3 -1) = -2
;; expect-expansion: (progn (map-update out 0 142 0) (map-update out 1 6 0))
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 142
;; expect-map: out[1] = 6
;; expect-map: out[2] = 1
;; expect-map: out[3] = 18446744073709551614
