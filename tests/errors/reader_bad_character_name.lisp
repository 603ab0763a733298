;; An unknown character name after #\.
(defprog p (:type :xdp)
  (if (= (ktime-get-ns) #\Frobnitz) XDP_DROP XDP_PASS)) ; error@25: character
