(defprog p (:type :xdp) XDP_PASS)
(defprog p (:type :xdp) XDP_DROP) ; error@10: already defined
