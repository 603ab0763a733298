;; LOOP WHILE with a condition that stays true, mutating compile-time state: stopped by the
;; step budget even though every iteration does useful-looking work.
(defvar *ports* nil)

(defmacro collect-ports (start) ;; note: in macro "COLLECT-PORTS"
  (let ((p start))
    (loop while (> p 0) do (push p *ports*) (setq p (1+ p))) ;; error: step limit
    `(quote ,*ports*)))

(defprog p (:type :xdp)
  (collect-ports 1) ;; note: in expansion of macro "collect-ports"
  XDP_PASS)
