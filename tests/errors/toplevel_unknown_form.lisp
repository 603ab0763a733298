;; Top-level forms run at compile time: an unknown function there is an error too.
(defprog p (:type :xdp) XDP_PASS)
(frobnicate 1 2) ; error@1: frobnicate
