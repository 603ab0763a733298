;; A program must return a verdict: an empty body has none.
(defprog p (:type :xdp)) ; error: body
