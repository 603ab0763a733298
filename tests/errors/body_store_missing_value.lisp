(defmap c :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog p (:type :xdp)
  (when-let ((v (map-lookup c 0)))
    (store u64 v 0)) ; error@5: store
  XDP_PASS)
