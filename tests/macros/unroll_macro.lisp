;; Unrolling at compile time: UNROLL takes a destructured (var count) spec and emits COUNT
;; copies of the body, each in a LET binding VAR to a constant.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defmacro unroll ((var n) &body body)
  `(progn ,@(loop for i below n collect `(let ((,var ,i)) ,@body))))

(defprog squares (:type :xdp)
  (unroll (i 4)
    (setf (getmap out i) (+ (* i i) 1)))
  XDP_PASS)

;; expect-expansion: (progn (let ((i 0)) (map-update out i (+ (* i i) 1) 0))
;; expect-expansion: (let ((i 3)) (map-update out i (+ (* i i) 1) 0)))
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 1
;; expect-map: out[1] = 2
;; expect-map: out[2] = 5
;; expect-map: out[3] = 10
