;; Functions as values at compile time: APPLY, FUNCALL of a LAMBDA, closures made by MAPCAR,
;; #'1+, and FLET closing over a mutable LET variable.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 5)

(defmacro ct (form) (eval form))

(defprog closures (:type :xdp)
  (setf (getmap out 0) (ct (apply #'max '(3 7 2))))
  (setf (getmap out 1) (ct (funcall (lambda (x) (* x x)) 12)))
  (setf (getmap out 2) (ct (let ((adders (mapcar (lambda (n) (lambda (x) (+ x n))) '(1 2 3))))
                             (funcall (second adders) 40))))
  (setf (getmap out 3) (ct (reduce #'+ (mapcar #'1+ '(1 2 3)))))
  (setf (getmap out 4) (ct (let ((n 0)) (flet ((tick () (incf n))) (tick) (tick) (tick) n))))
  XDP_PASS)

;; expect-expansion: (map-update out 0 7 0) (map-update out 1 144 0) (map-update out 2 42 0)
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 7
;; expect-map: out[1] = 144
;; expect-map: out[2] = 42
;; expect-map: out[3] = 9
;; expect-map: out[4] = 3
