;; A circular list makes LENGTH walk forever: stopped by the step budget.
(defmacro ring-length ()
  (let ((l (list 1 2 3)))
    (setf (cdr (last l)) l)
    (length l))) ;; error: step limit

(defprog p (:type :xdp)
  (if (= (ring-length) 3) XDP_PASS XDP_DROP)) ;; note: in expansion of macro "ring-length"
