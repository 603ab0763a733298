;; &WHOLE sees the entire call form; a dotted lambda list (first . rest) acts as &rest.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 2)

(defmacro traced (&whole form x)
  `(progn (setf (getmap out 0) ,(length form)) ,x))

(defmacro sum-all (first . rest) `(+ ,first ,@rest))

(defprog whole (:type :xdp)
  (traced (setf (getmap out 1) (sum-all 1 2 3 4)))
  XDP_PASS)

;; expect-expansion: (progn (map-update out 0 2 0) (map-update out 1 (+ 1 2 3 4) 0))
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 2
;; expect-map: out[1] = 10
