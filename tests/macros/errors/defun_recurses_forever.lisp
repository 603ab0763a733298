;; A compile-time function recursing without a base case hits the depth budget (2000 nested
;; calls) — a located error, not a host stack overflow.
(defun depth-of (x) ;; note: in function "DEPTH-OF"
  (+ 1 (depth-of (list x)))) ;; error: Compile-time recursion too deep (more than 2000 nested calls)

(defmacro nesting (x) ;; note: in macro "NESTING"
  (depth-of x))

(defprog p (:type :xdp)
  (if (= (nesting 1) 3) XDP_PASS XDP_DROP)) ;; note: in expansion of macro "nesting"
