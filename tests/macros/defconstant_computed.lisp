;; DEFCONSTANT values computed at compile time by arbitrary expressions, including a DEFUN
;; defined earlier; the program sees them as immediates.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))

(defconstant +mask+ (1- (ash 1 12)))
(defconstant +answer+ (* 6 7))
(defconstant +fib-20+ (fib 20))
(defconstant +all-ones+ (1- (expt 2 64)))

(defprog consts (:type :xdp)
  (setf (getmap out 0) +answer+)
  (setf (getmap out 1) +fib-20+)
  (setf (getmap out 3) +all-ones+)
  (with-tcp (data data-end tcp)
    (setf (getmap out 2) (logand (tcp-dst-port tcp) +mask+)))
  XDP_PASS)

;; expect-expansion: (map-update out 1 +fib-20+ 0)
;; expect-run: tcp:4097 => XDP_PASS
;; expect-map: out[0] = 42
;; expect-map: out[1] = 6765
;; expect-map: out[2] = 1
;; expect-map: out[3] = 18446744073709551615
