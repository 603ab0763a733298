;; MACROEXPAND-1 and MACROEXPAND called by macros: on a user macro, on a built-in macro
;; (INCF of a map place, which is written in TypeScript), and with &ENVIRONMENT so that a
;; MACROLET around the call is seen.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defmacro check-ports (tcp &rest ports)
  `(or ,@(mapcar (lambda (p) `(= (tcp-dst-port ,tcp) ,p)) ports)))

(defmacro expansion-length (form) (length (macroexpand-1 form)))
(defmacro expand-here (form &environment env) (macroexpand form env))

(defprog expand (:type :xdp)
  (setf (getmap out 0) (expansion-length (check-ports tcp 1 2 3)))
  (setf (getmap out 1) (macrolet ((inner () 42)) (expand-here (inner))))
  (setf (getmap out 2) (expansion-length (incf (getmap out 0))))
  XDP_PASS)

;; (or A B C) has 4 elements; (incf (getmap out 0)) expands to (%map-incf out 0 1)
;; expect-expansion: (map-update out 0 4 0) (map-update out 1 (progn 42) 0) (map-update out 2 4 0)
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 4
;; expect-map: out[1] = 42
;; expect-map: out[2] = 4
