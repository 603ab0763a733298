;; A let binding list must be a list of bindings: (let (x 1) …) binds x, then finds the
;; binding "1", which is neither a symbol nor (var init).
(defprog p (:type :xdp)
  (let (x 1) ; error@11: malformed binding
    (if x XDP_PASS XDP_DROP)))
