;; ECASE with no matching clause, from a helper that maps protocol names to numbers.
(defun proto-number (name) ;; note: in function "PROTO-NUMBER"
  (ecase name (tcp 6) (udp 17))) ;; error: SCTP

(defmacro proto (name) (proto-number name))

(defprog p (:type :xdp)
  (if (= (proto sctp) 132) XDP_DROP XDP_PASS)) ;; note: in expansion of macro "proto"
