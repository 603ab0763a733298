;; RUN: --passes=simplify-cfg
;; Empty blocks that only jump on are threaded and straight-line blocks merged.
(defprog p (:type :xdp)
  (let ((x (load u8 (xdp-data) 0)))
    (when (> x 3) (setf x 3))
    (progn (progn x))))
