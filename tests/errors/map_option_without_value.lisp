;; :value-size is given no value: the plist is odd-length.
(defmap m :type :array :key-size 4 :max-entries 4
  :value-size) ; error@3: value-size
(defprog p (:type :xdp) (incf (getmap m 0)) XDP_PASS)
