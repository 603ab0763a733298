;; A DEFCONSTANT computed by compile-time code must give an integer for programs to use.
(defconstant +greeting+ (format nil "hello ~a" "world")) ;; error: the value must be an integer

(defprog p (:type :xdp)
  XDP_PASS)
