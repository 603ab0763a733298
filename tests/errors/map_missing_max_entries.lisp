;; Every map needs :max-entries (except ringbuf sizing aside, which still needs it).
(defmap counters :type :hash :key-size 4 :value-size 8) ; error: max-entries
(defprog p (:type :xdp)
  (incf (getmap counters 1))
  XDP_PASS)
