;; A macro that expands into itself forever: a compile error naming the macro, with the
;; location of the call, not a crash or a hang.
(defmacro forever (x)
  `(forever (+ ,x 1)))
(defprog p (:type :xdp)
  (if (forever 1) XDP_PASS XDP_DROP)) ; error: forever
