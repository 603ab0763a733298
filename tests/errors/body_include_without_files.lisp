;; The library is pure: without a file provider an include is a clear error at the include.
(include "common.lisp") ; error@10: common.lisp
(defprog p (:type :xdp) XDP_PASS)
