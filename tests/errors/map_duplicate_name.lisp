(defmap stats :type :array :key-size 4 :value-size 8 :max-entries 4)
(defmap stats :type :hash :key-size 4 :value-size 8 :max-entries 4) ; error: stats
(defprog p (:type :xdp) (incf (getmap stats 0)) XDP_PASS)
