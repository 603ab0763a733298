;; A float where the map needs an integer entry count.
(defmap m :type :hash :key-size 4 :value-size 8
  :max-entries 12.5) ; error@16: 12.5
(defprog p (:type :xdp) XDP_PASS)
