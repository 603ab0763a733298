;; expect-note: spin
;; A macro whose body loops forever at compile time hits the step limit. The bug is in the
;; macro, so the error points at the loop; a note shows the call being expanded.
(defmacro spin ()
  (loop) ; error@3: step limit
  0)
(defprog p (:type :xdp)
  (if (spin) XDP_PASS XDP_DROP))
