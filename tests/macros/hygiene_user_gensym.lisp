;; A user macro made hygienic with GENSYM: SWAP! works on user variables named TMP (its own
;; temporary's name) and OTHER, and a DOTIMES variable shadows an outer I only in its body.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 8)

(defmacro swap! (a b)
  (let ((tmp (gensym "TMP")))
    `(let ((,tmp ,a)) (setf ,a ,b) (setf ,b ,tmp))))

(defprog swap (:type :xdp)
  (let ((tmp 1) (other 2))
    (swap! tmp other)
    (setf (getmap out 0) tmp)
    (setf (getmap out 1) other))
  (let ((i 100))
    (dotimes (j 2) (incf (getmap out (+ j 2)) i))
    (dotimes (i 2) (incf (getmap out (+ i 4))))
    (setf (getmap out 7) i))
  XDP_PASS)

;; expect-expansion: (let ((#:tmp tmp)) (setq tmp other) (setq other #:tmp))
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 2
;; expect-map: out[1] = 1
;; expect-map: out[2] = 100
;; expect-map: out[3] = 100
;; expect-map: out[4] = 1
;; expect-map: out[5] = 1
;; expect-map: out[6] = 0
;; expect-map: out[7] = 100
