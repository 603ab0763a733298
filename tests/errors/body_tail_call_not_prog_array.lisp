(defmap stats :type :array :key-size 4 :value-size 8 :max-entries 4)
(defprog p (:type :xdp)
  (tail-call stats 0) ; error: prog-array
  XDP_PASS)
