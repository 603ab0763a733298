;; A malformed lambda list: a number where a parameter name must be.
(defun scale
  (x 2) ;; error: Malformed lambda list: 2 is not a variable name
  (* x 2))

(defprog p (:type :xdp)
  XDP_PASS)
