;; RUN: --passes=offset-fold,dce
;; The constant added to the packet pointer moves into the loads' displacements:
;; expect loads at [data + 47] and [data + 26], and no remaining add for them.
(defmap m :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog p (:type :xdp)
  (let* ((data (xdp-data)) (data-end (xdp-data-end)))
    (if (> (+ data 54) data-end)
        XDP_PASS
        (let ((tcp (+ data 34)) (ip (+ data 14)))
          (+ (load u8 tcp 13) (load u32 ip 12))))))
