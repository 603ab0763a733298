;; FLET belongs to the compile-time language only: in a program body it is an error that
;; suggests MACROLET.
(defprog p (:type :xdp)
  (flet ((twice (x) (* 2 x))) ;; error: "flet" is not supported inside program bodies
    (if (= (twice 2) 4) XDP_PASS XDP_DROP)))
