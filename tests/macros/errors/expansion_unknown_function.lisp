;; The macro itself runs fine but its expansion calls a function that does not exist in program
;; bodies: the error is at the user's call, with a note naming the macro it came from.
(defmacro bump (x)
  `(frobnicate ,x))

(defprog p (:type :xdp)
  (let ((n 1))
    (bump n) ;; error: frobnicate
    XDP_PASS))
;; note: expanded from macro "bump"
