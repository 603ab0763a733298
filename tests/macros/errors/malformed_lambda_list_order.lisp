;; A malformed lambda list: &OPTIONAL after &KEY.
(defmacro bump
  (&key map &optional index) ;; error: Malformed lambda list: &OPTIONAL cannot come after &KEY
  `(incf (getmap ,map ,index)))

(defprog p (:type :xdp)
  XDP_PASS)
