;; A helper function whose DO loop never reaches its end test, called by a macro: the step
;; budget stops it; the notes give the chain function → macro → call site.
(defun first-free-slot (used) ;; note: in function "FIRST-FREE-SLOT"
  (do ((i 0 (1+ i))) ;; error: exceeded the step limit
      ((< i 0) i)
    (member i used)))

(defmacro slot-for (&rest used) ;; note: in macro "SLOT-FOR"
  (first-free-slot used))

(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)
(defprog p (:type :xdp)
  (setf (getmap out 0) (slot-for 0 1 2)) ;; note: in expansion of macro "slot-for"
  XDP_PASS)
