;; ash by a defconstant >= 64 (either direction) is out of range too.
(defconstant +big+ 70)
(defprog p (:type :xdp)
  (let ((x (ktime-get-ns)))
    (if (ash x +big+) XDP_DROP XDP_PASS))) ; error: shift
