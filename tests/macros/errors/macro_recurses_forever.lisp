;; isolate
;; A macro whose expansion calls itself with a bigger argument, forever: the expansion depth
;; limit stops it with an error at the user's call, naming the macro.
(defmacro forever (x)
  `(forever (+ ,x 1)))

(defprog p (:type :xdp)
  (if (forever 1) XDP_PASS XDP_DROP)) ;; error: Macro expansion does not terminate: "forever"
