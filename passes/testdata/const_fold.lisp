;; RUN: --passes=const-fold,simplify-cfg,dce
;; (- 0 1) wraps to 2^64-1; 7/0 = 0 and 7 mod 0 = 7 at run time, folded by the same rules;
;; the branch on a constant becomes a jump and the dead arm disappears.
(defprog p (:type :xdp)
  (let ((x (- 0 1)) (d 0))
    (if (> x 5)
        (+ (/ 7 d) (mod 7 d) (>> x 60))
        99)))
