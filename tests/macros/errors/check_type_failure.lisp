;; CHECK-TYPE in a macro: a port given as a string where an integer is required.
(defmacro port (n)
  (check-type n integer) ;; error: The value of N is "80", which is not of type INTEGER
  n)

(defprog p (:type :xdp)
  (if (= (port "80") 0) XDP_DROP XDP_PASS)) ;; note: in expansion of macro "port"
