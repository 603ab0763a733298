(defmap stats :type :array :key-size 4 :value-size 8 :max-entries 4)
(defprog p (:type :xdp)
  (incf (getmap stat 0)) ; error@17: stat
  XDP_PASS)
