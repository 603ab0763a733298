;; RUN: --passes=phi-thread,simplify-cfg
;; (or (getmap cfg 0) 100): the miss path merges 0 into the value the `or` tests; after
;; threading it jumps straight to the block that uses 100.
(defmap cfg :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog p (:type :xdp)
  (let ((limit (or (getmap cfg 0) 100)))
    (if (> limit 50) XDP_PASS XDP_DROP)))
