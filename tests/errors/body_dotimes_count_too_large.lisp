;; The dotimes counter is a u32: a count of 5000000000 can never be reached.
(defprog p (:type :xdp)
  (let ((acc 0))
    (dotimes (i 5000000000) ; error@17: 5000000000
      (setf acc (+ acc 1)))
    acc))
