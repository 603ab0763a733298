(defprog p (:type :xdp)
  (let ((data (xdp-data)))
    (if (load u8) ; error@9: load
        XDP_DROP
        XDP_PASS)))
