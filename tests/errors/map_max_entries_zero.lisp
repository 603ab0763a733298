;; A map with room for nothing: the kernel refuses max_entries 0 for a hash map.
(defmap m :type :hash :key-size 4 :value-size 8 :max-entries 0) ; error: max-entries
(defprog p (:type :xdp) XDP_PASS)
