;; flow-count and flow_count are different Lisp symbols but the same ELF map symbol.
(defmap flow-count :type :array :key-size 4 :value-size 8 :max-entries 1)
(defmap flow_count :type :array :key-size 4 :value-size 8 :max-entries 1) ; error@9: flow_count
(defprog p (:type :xdp) (incf (getmap flow-count 0)) XDP_PASS)
