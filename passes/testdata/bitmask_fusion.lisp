;; RUN: --passes=bitmask-fusion,dce
;; (= (logand flags 4) 0) becomes a jset with the targets swapped; (= (logand flags 8) 8) is a
;; single-bit test; the two jsets of `or` going to one target fuse into one test of #x11.
(defprog p (:type :xdp)
  (let ((flags (load u8 (xdp-data) 0)))
    (cond ((= (logand flags 4) 0) XDP_DROP)
          ((= (logand flags 8) 8) XDP_TX)
          ((or (logand flags 1) (logand flags #x10)) XDP_PASS)
          (t XDP_ABORTED))))
