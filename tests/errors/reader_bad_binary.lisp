;; A binary literal with the digit 2.
(defconstant +mask+ #b102) ; error@21: #b102
(defprog p (:type :xdp)
  (if (logand (ktime-get-ns) +mask+) XDP_DROP XDP_PASS))
