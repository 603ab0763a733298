(defmap m :type :hash
  :key-size "four" ; error@13: key-size
  :value-size 8 :max-entries 4)
(defprog p (:type :xdp) XDP_PASS)
