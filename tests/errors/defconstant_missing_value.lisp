(defconstant +limit+) ; error@1: defconstant
(defprog p (:type :xdp) XDP_PASS)
