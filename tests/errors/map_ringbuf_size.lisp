;; A ringbuf's max_entries is its size in bytes: a power of two and a multiple of the page size.
(defmap events :type :ringbuf :max-entries 1000) ; error@44: power of two
(defprog p (:type :xdp) XDP_PASS)
