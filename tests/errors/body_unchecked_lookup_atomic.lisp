;; The pointer is bound, then used by atomic-add without a null check.
(defmap m :type :hash :key-size 4 :value-size 8 :max-entries 64)
(defprog p (:type :xdp)
  (let ((k 7))
    (declare (type u32 k))
    (let ((ptr (map-lookup m k)))
      (atomic-add ptr 0 1)) ; error: null
    XDP_PASS))
