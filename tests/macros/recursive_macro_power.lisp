;; A recursive macro unrolling x^n by repeated squaring, with a GENSYM per level so the
;; nested LETs do not capture each other.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 2)

(defmacro power (x n)
  (cond ((= n 0) 1)
        ((evenp n) (let ((h (gensym "H")))
                     `(let ((,h (power ,x ,(/ n 2)))) (* ,h ,h))))
        (t `(* ,x (power ,x ,(1- n))))))

(defprog pow (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((x (tcp-dst-port tcp)))
      (setf (getmap out 0) (power x 5))
      (setf (getmap out 1) (power x 0))))
  XDP_PASS)

;; x^5 = x * (x^2)^2, x^2 = (x * 1)^2
;; expect-expansion: (* x (let ((#:h (let ((#:h (* x 1))) (* #:h #:h)))) (* #:h #:h)))
;; expect-expansion: (map-update out 1 1 0)
;; expect-run: tcp:3 => XDP_PASS
;; expect-map: out[0] = 243
;; expect-map: out[1] = 1
;; expect-run: tcp:10 => XDP_PASS
;; expect-map: out[0] = 100000
