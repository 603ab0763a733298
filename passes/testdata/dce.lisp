;; RUN: --passes=dce
;; Computations nobody reads disappear; the store (an effect) stays.
(defprog p (:type :xdp)
  (let* ((data (xdp-data)) (unused (* (load u8 data 0) 7)))
    (store u8 data 1 0)
    XDP_PASS))
