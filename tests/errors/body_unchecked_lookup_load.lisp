;; map-lookup returns NULL when the key is absent: loading through it unchecked is rejected.
(defmap m :type :hash :key-size 4 :value-size 8 :max-entries 64)
(defprog p (:type :xdp)
  (let ((k 7))
    (declare (type u32 k))
    (if (> (load u64 (map-lookup m k) 0) 5) ; error: null
        XDP_DROP
        XDP_PASS)))
