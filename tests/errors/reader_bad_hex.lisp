;; #x followed by non-hex digits.
(defprog p (:type :xdp)
  (if (= (logand (ktime-get-ns) #xZZ) 0) ; error@33: bad number
      XDP_DROP
      XDP_PASS))
