;; A program and a map with the same name would be two ELF symbols with one name.
(defmap counter :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog counter (:type :xdp) ; error@10: counter
  (incf (getmap counter 0))
  XDP_PASS)
