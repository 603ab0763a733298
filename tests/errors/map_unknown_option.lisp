(defmap m :type :array :key-size 4 :value-size 8
  :max-entries 4 :colour :blue) ; error@18: :colour
(defprog p (:type :xdp) (incf (getmap m 0)) XDP_PASS)
