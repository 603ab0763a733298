;; ASSERT in a macro fails with the assertion's form in the message.
(defmacro port (n) ;; note: in macro "PORT"
  (assert (< n 65536)) ;; error: The assertion (< N 65536) failed
  n)

(defprog p (:type :xdp)
  (if (= (port 65536) 0) XDP_DROP XDP_PASS)) ;; note: in expansion of macro "port"
