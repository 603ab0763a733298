;; RUN: --passes=copy-prop
;; The let-bound copies of the packet pointer disappear: every use reads the original register.
(defprog p (:type :xdp)
  (let* ((data (xdp-data)) (d2 data) (d3 d2))
    (if (> (+ d3 14) (xdp-data-end)) XDP_PASS (load u8 d2 12))))
