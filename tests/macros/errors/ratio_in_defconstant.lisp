;; Ratios are not supported: an inexact integer division at compile time is an error that
;; suggests FLOOR or TRUNCATE.
(defconstant +half-mtu+ (/ 1501 2)) ;; error: Ratios are not supported

(defprog p (:type :xdp)
  XDP_PASS)
