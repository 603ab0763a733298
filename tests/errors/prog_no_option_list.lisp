;; defprog needs an option list (possibly empty) after the name.
(defprog p XDP_PASS) ; error: option
