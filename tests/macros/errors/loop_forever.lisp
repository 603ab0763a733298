;; A macro whose body loops forever is stopped by the step budget (5,000,000 steps per
;; top-level evaluation), not by a timer: the error points at the loop inside the macro, and
;; notes name the macro and the call being expanded.
;; cli
(defmacro spin () ;; note: in macro "SPIN"
  (loop) ;; error: Compile-time evaluation exceeded the step limit (5000000 steps)
  0)

(defprog p (:type :xdp)
  (if (spin) XDP_PASS XDP_DROP)) ;; note: in expansion of macro "spin"
