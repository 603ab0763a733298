(defmap m :type :hashy :key-size 4 :value-size 8 :max-entries 16) ; error@17: Unknown map type
(defprog p (:type :xdp) XDP_PASS)
