;; List functions in macros: MAPCAN to filter while mapping, REMOVE-IF with MEMBER, and
;; COUNT-IF / POSITION / FIND-IF / REDUCE folded to constants.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defmacro even-ports-p (var &rest ports)
  `(or ,@(mapcan (lambda (p) (when (evenp p) (list `(= ,var ,p)))) ports)))

(defmacro ports-except (var exclude &rest ports)
  `(or ,@(mapcar (lambda (p) `(= ,var ,p))
                 (remove-if (lambda (p) (member p exclude)) ports))))

(defmacro ct (form) (eval form))

(defprog filters (:type :xdp)
  (setf (getmap out 0) (ct (count-if #'oddp '(21 22 23 80 443))))
  (setf (getmap out 1) (ct (position 80 '(21 22 23 80 443))))
  (setf (getmap out 2) (ct (find-if (lambda (p) (> p 100)) '(21 22 23 80 443 8080))))
  (setf (getmap out 3) (ct (reduce #'max '(21 8080 443))))
  (with-tcp (data data-end tcp)
    (let ((dport (tcp-dst-port tcp)))
      (cond ((even-ports-p dport 21 22 23 80 443 8080) XDP_DROP)
            ((ports-except dport (23) 21 23 25) XDP_TX)
            (t XDP_PASS)))))

;; expect-expansion: (if (or (= dport 22) (= dport 80) (= dport 8080)) (progn xdp_drop)
;; expect-expansion: (if (or (= dport 21) (= dport 25)) (progn xdp_tx) (progn xdp_pass))
;; expect-run: tcp:22 => XDP_DROP
;; expect-run: tcp:8080 => XDP_DROP
;; expect-run: tcp:443 => XDP_PASS
;; expect-run: tcp:21 => XDP_TX
;; expect-run: tcp:25 => XDP_TX
;; expect-run: tcp:23 => XDP_PASS
;; expect-map: out[0] = 3
;; expect-map: out[1] = 3
;; expect-map: out[2] = 443
;; expect-map: out[3] = 8080
