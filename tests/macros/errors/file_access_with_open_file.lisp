;; No file access at compile time: WITH-OPEN-FILE is not defined either.
(defmacro include-ports (path)
  (with-open-file (in path) ;; error: Undefined function "WITH-OPEN-FILE"
    `(quote ,(read in))))

(defprog p (:type :xdp)
  (include-ports "/etc/services") ;; note: in expansion of macro "include-ports"
  XDP_PASS)
