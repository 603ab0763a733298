;; isolate
;; A macro building a form nested 100,000 levels deep: (+ 1 (+ 1 (+ 1 …))). Generating it
;; takes few steps, so the budget that must catch it is the depth of the result.
(defmacro deep (n)
  (let ((f 0))
    (dotimes (i n) (setq f (list '+ 1 f)))
    f))

(defprog p (:type :xdp)
  (if (= (deep 100000) 0) XDP_PASS XDP_DROP)) ;; error: too deep
