;; RUN: --passes=dse
;; make-s zeroes both fields, then both are set: the zeroing stores are dead. The key is stored
;; again with the same value before the update: that store is redundant. The pad byte stays.
(defstruct s (a u64) (b u32) (c u8))
(defmap m :type :hash :key-size 4 :value-type s :max-entries 16)
(defprog p (:type :xdp)
  (let ((k (load u32 (xdp-data) 0))
        (v (make-s)))
    (setf (s-a v) 1 (s-b v) 2)
    (unless (map-lookup m k)
      (map-update m k v BPF_ANY)))
  XDP_PASS)
