(defmap m :type :array :key-size 4 :value-size 8 :max-entries 4)
(defprog p (:type :xdp)
  (if (> (getmap m) 10) ; error@10: getmap
      XDP_DROP
      XDP_PASS))
