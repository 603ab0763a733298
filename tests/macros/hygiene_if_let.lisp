;; Hygiene of IF-LET / WHEN-LET: the variable they bind is the user's and scopes over the
;; branches only; a user P outside is untouched, and GETMAP's own #:p does not capture it.
(defmap arr :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog iflet (:type :xdp)
  (let ((val 7) (p 9))
    (if-let (p (map-lookup arr 0))
      (atomic-add p 0 val)
      (setf (getmap arr 3) 1))
    (when-let (q (map-lookup arr 1))
      (atomic-add q 0 p))
    (if-let ((r (getmap arr 0)))
      (setf (getmap arr 2) (+ r p))
      0))
  XDP_PASS)

;; expect-expansion: (let ((p (map-lookup arr 0))) (if p (atomic-add p 0 val) (map-update arr 3 1 0)))
;; expect-expansion: (let ((q (map-lookup arr 1))) (if q (progn (atomic-add q 0 p))))
;; expect-run: arp => XDP_PASS
;; expect-map: arr[0] = 7
;; expect-map: arr[1] = 9
;; expect-map: arr[2] = 16
;; expect-map: arr[3] = 0
;; expect-run: arp => XDP_PASS
;; expect-map: arr[0] = 14
;; expect-map: arr[1] = 18
;; expect-map: arr[2] = 23
