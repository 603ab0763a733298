;; Hygiene of the built-in map macros: the user's own variables are called P and K, the names
;; of the temporaries INCF/GETMAP use, yet the keys and deltas are the user's (the expansion's
;; #:p and #:k are fresh uninterned symbols).
(defmap arr :type :array :key-size 4 :value-size 8 :max-entries 8)
(defmap tbl :type :hash :key-size 4 :value-size 8 :max-entries 16)

(defprog hygiene (:type :xdp)
  (let ((p 3) (k 5))
    (incf (getmap arr p))
    (incf (getmap arr k) p)
    (incf (getmap tbl k) p)
    (incf (getmap tbl p) k)
    (setf (getmap arr 7) (getmap tbl k)))
  XDP_PASS)

;; expect-expansion: (let ((#:p (map-lookup arr k)))
;; expect-expansion: (atomic-add #:p 0 p u64)
;; expect-expansion: (#:p (map-lookup-ptr tbl #:k))) (if #:p (atomic-add #:p 0 p u64) (map-update-ptr tbl #:k
;; expect-run: arp => XDP_PASS
;; expect-map: arr[3] = 1
;; expect-map: arr[5] = 3
;; expect-map: tbl[5] = 3
;; expect-map: tbl[3] = 5
;; expect-map: arr[7] = 3
;; expect-run: arp => XDP_PASS
;; expect-map: arr[3] = 2
;; expect-map: arr[5] = 6
;; expect-map: tbl[5] = 6
;; expect-map: tbl[3] = 10
;; expect-map: arr[7] = 6
