;; RUN: --passes=tail-merge --emit=asm
;; Both ways out end in the same store, `r0 = 2` and `exit`: one copy remains and the other
;; path falls into (or jumps to) it.
(defmap m :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog p (:type :xdp)
  (with-ipv4 (data data-end ip)
    (when-let (c (getmap m 0))
      (store u8 data 0 1)))
  XDP_PASS)
