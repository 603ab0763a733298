;; RUN: --passes=instcombine,copy-prop,dce
;; Constant chains ((data + 14) + 20 → data + 34), x + 0 and x * 1 vanish, x / 8 becomes
;; x >> 3, (x << 5) + x becomes x * 33, a zero-extension of a u16 load is a copy, the store
;; of (cast u8 …) needs no mask, and ntohs(port) == 22 compares the raw port with 0x1600.
(defmap m :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog p (:type :xdp)
  (let* ((data (xdp-data)) (data-end (xdp-data-end)))
    (if (> (+ (+ data 14) 20) data-end)
        XDP_PASS
        (let* ((port (load u16 data 36))
               (x (* (+ port 0) 1))
               (h (+ (<< x 5) x)))
          (store u8 data 0 (cast u8 h))
          (if (= (ntohs port) 22)
              (/ (cast u32 port) 8)
              h)))))
