;; No file access at compile time: LOAD of a Lisp file is not available to macros.
(defmacro load-config ()
  (load "/etc/whistler.lisp") ;; error: Undefined function "LOAD"
  0)

(defprog p (:type :xdp)
  (load-config) ;; note: in expansion of macro "load-config"
  XDP_PASS)
