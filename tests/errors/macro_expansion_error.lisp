;; expect-note: macro "bump"
;; The user's macro expands into a call of an unknown function: the error points at the
;; macro's call site and a note says which macro it came from.
(defmacro bump (x)
  `(frobnicate ,x))
(defprog p (:type :xdp)
  (let ((n 1))
    (bump n) ; error@5: frobnicate
    XDP_PASS))
