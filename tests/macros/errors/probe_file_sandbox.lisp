;; PROBE-FILE answers only for kernel interface files (/sys/kernel/btf/vmlinux, tracepoint
;; formats); any other path is NIL, so the macro's own check fails with its own message, which
;; (an ERROR call) is reported at the user's call.
(defmacro require-file (path)
  (unless (probe-file path)
    (error "Cannot see ~a" path)) ;; note: raised while expanding macro "require-file", here
  1)

(defprog p (:type :xdp)
  (if (require-file "/etc/passwd") XDP_PASS XDP_DROP)) ;; error: Cannot see /etc/passwd
