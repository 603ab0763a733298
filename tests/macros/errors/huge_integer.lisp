;; Integers are arbitrary precision at compile time, but capped in size: a runaway EXPT is an
;; error, not an exhausted heap.
(defmacro big () (expt 2 1000000)) ;; error: Integer too large (more than 100000 bits)

(defprog p (:type :xdp)
  (if (= (big) 0) XDP_DROP XDP_PASS)) ;; note: in expansion of macro "big"
