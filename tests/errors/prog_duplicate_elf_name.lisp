;; my-prog and my_prog are different Lisp symbols but the same ELF symbol (- becomes _).
(defprog my-prog (:type :xdp) XDP_PASS)
(defprog my_prog (:type :xdp) XDP_DROP) ; error@10: my_prog
