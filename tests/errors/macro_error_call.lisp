;; expect-note: check-port
;; A macro that validates its argument at compile time and signals an error: the message is
;; about the user's call, so the error points there (the macro's (error …) line can be a note).
(defmacro check-port (p)
  (if (> p 65535)
      p
      (error "bad port ~d" 99)))
(defprog p (:type :xdp)
  (if (= (check-port 80) 80) ; error@10: bad port 99
      XDP_DROP
      XDP_PASS))
