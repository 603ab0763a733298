;; Hygiene of nested built-in expansions: GETMAP inside INCF's key and delta, each expansion
;; with its own fresh #:p (three different pointers live at once).
(defmap idx :type :array :key-size 4 :value-size 4 :max-entries 1)
(defmap arr :type :array :key-size 4 :value-size 8 :max-entries 8)

(defprog nested (:type :xdp)
  (setf (getmap idx 0) 4)
  (incf (getmap arr (getmap idx 0)))
  (incf (getmap arr (+ (getmap idx 0) 1)) (getmap arr (getmap idx 0)))
  XDP_PASS)

;; expect-expansion: (let ((#:p (map-lookup arr (let ((#:p (map-lookup idx 0))) (if #:p (load u32 #:p 0) 0)))))
;; expect-run: arp => XDP_PASS
;; expect-map: idx[0] = 4
;; expect-map: arr[4] = 1
;; expect-map: arr[5] = 1
;; expect-run: arp => XDP_PASS
;; expect-map: arr[4] = 2
;; expect-map: arr[5] = 3
