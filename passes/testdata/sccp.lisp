;; RUN: --passes=sccp,simplify-cfg,dce
;; x starts at 5 and is only changed where x is not 5, which never runs: around the loop, the
;; φs for x are 5 on every executable path. sccp proves it (const-fold, which does not follow
;; executable edges through the loop's φ, cannot), decides (> x 3) and drops the DROP arm.
(defprog p (:type :xdp)
  (let ((x 5) (n (load u8 (xdp-data) 0)))
    (dotimes (i 3)
      (when (/= x 5) (setf x (+ x n))))
    (if (> x 3) XDP_PASS XDP_DROP)))
