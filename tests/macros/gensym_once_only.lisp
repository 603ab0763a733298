;; GENSYM for evaluate-once temporaries: CLAMP binds its value to a fresh symbol, so the
;; argument's side effect happens once and a user variable named V is not captured.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 1)
(defmap calls :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro clamp (x lo hi)
  (let ((v (gensym "V")))
    `(let ((,v ,x))
       (if (< ,v ,lo) ,lo (if (> ,v ,hi) ,hi ,v)))))

(defprog clamp (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((v 100))
      (setf (getmap out 0)
            (clamp (progn (incf (getmap calls 0)) (tcp-dst-port tcp)) v 200))))
  XDP_PASS)

;; expect-expansion: (let ((#:v (progn
;; expect-expansion: (if (< #:v v) v (if (> #:v 200) 200 #:v))
;; expect-run: tcp:80 => XDP_PASS
;; expect-map: out[0] = 100
;; expect-map: calls[0] = 1
;; expect-run: tcp:150 => XDP_PASS
;; expect-map: out[0] = 150
;; expect-run: tcp:9999 => XDP_PASS
;; expect-map: out[0] = 200
;; expect-map: calls[0] = 3
