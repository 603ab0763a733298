;; with-ringbuf reserves a record in a :ringbuf map; an array map is the wrong kind.
(defmap stats :type :array :key-size 4 :value-size 8 :max-entries 4)
(defprog p (:type :xdp)
  (with-ringbuf (ev stats 16) ; error@21: ringbuf
    (store u32 ev 0 1))
  XDP_PASS)
