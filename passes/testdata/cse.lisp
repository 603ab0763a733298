;; RUN: --passes=cse,dce
;; The three loads of the TCP destination port collapse into one load and one byte swap;
;; the store to the stack in between forgets loads (memory may have changed).
(defprog p (:type :xdp)
  (let* ((data (xdp-data)) (data-end (xdp-data-end)))
    (if (> (+ data 54) data-end)
        XDP_PASS
        (+ (ntohs (load u16 data 36)) (ntohs (load u16 data 36)) (ntohs (load u16 data 36))))))
