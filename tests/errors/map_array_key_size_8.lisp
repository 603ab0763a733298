;; Array maps are indexed by a u32: the kernel rejects any key size but 4.
(defmap table :type :array
  :key-size 8 ; error: key-size
  :value-size 8 :max-entries 4)
(defprog p (:type :xdp) (incf (getmap table 0)) XDP_PASS)
