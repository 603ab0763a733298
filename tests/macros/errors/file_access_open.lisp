;; No file access at compile time: OPEN does not exist in the compile-time language, so
;; compiling untrusted source cannot read the machine's files.
;; cli
(defmacro secret-length ()
  (let ((s (open "/etc/passwd"))) ;; error: Undefined function "OPEN"
    (length (read-line s))))

(defprog p (:type :xdp)
  (if (= (secret-length) 0) XDP_DROP XDP_PASS)) ;; note: in expansion of macro "secret-length"
