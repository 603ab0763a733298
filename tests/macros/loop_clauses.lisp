;; LOOP clauses at compile time: sum, maximize, count, for-on-by with destructuring, downto-by,
;; across with append, and for-then with until and finally.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 7)

(defmacro ct (form) (eval form))

(defprog loops (:type :xdp)
  (setf (getmap out 0) (ct (loop for i from 1 to 10 sum i)))
  (setf (getmap out 1) (ct (loop for x in '(3 9 2) maximize x)))
  (setf (getmap out 2) (ct (loop for i below 20 count (evenp i))))
  (setf (getmap out 3) (ct (length (loop for (k v) on '(a 1 b 2 c 3) by #'cddr collect k))))
  (setf (getmap out 4) (ct (reduce #'+ (loop for i from 10 downto 1 by 3 collect i))))
  (setf (getmap out 5) (ct (length (loop for x across #(1 2 3) append (list x x)))))
  (setf (getmap out 6) (ct (loop for i from 1
                                 for acc = 1 then (* acc 2)
                                 until (> acc 1000)
                                 finally (return i))))
  XDP_PASS)

;; 55; 9; 10 even numbers below 20; keys a b c; 10+7+4+1 = 22; 6; acc = 1024 first at i = 11
;; expect-expansion: (map-update out 0 55 0) (map-update out 1 9 0) (map-update out 2 10 0)
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 55
;; expect-map: out[1] = 9
;; expect-map: out[2] = 10
;; expect-map: out[3] = 3
;; expect-map: out[4] = 22
;; expect-map: out[5] = 6
;; expect-map: out[6] = 11
