;; &key parameters with defaults and a supplied-p variable, in any order at the call.
(defmap hits :type :array :key-size 4 :value-size 8 :max-entries 4)

(defmacro bump (&key (map 'hits) (index 0) (by 1 by-p))
  (if by-p
      `(incf (getmap ,map ,index) ,by)
      `(incf (getmap ,map ,index))))

(defprog keys (:type :xdp)
  (bump)
  (bump :index 1 :by 10)
  (bump :by 1 :index 2)
  (bump :map hits :index 3 :by (+ 2 3))
  XDP_PASS)

;; expect-expansion: (map-lookup hits 1)
;; expect-expansion: (atomic-add #:p 0 10 u64)
;; expect-expansion: (map-lookup hits 3)
;; expect-expansion: (atomic-add #:p 0 (+ 2 3) u64)
;; expect-run: tcp:80 => XDP_PASS
;; expect-map: hits[0] = 1
;; expect-map: hits[1] = 10
;; expect-map: hits[2] = 1
;; expect-map: hits[3] = 5
;; expect-run: arp => XDP_PASS
;; expect-map: hits[1] = 20
