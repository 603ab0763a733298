;; EVAL-WHEN with DEFPARAMETER and DEFVAR: compile-time configuration read by a macro, and
;; MEMBER / REMOVE-DUPLICATES-style list work with REMOVE-IF.
(eval-when (:compile-toplevel :execute)
  (defparameter *blocked-ports* '(23 135 139 445))
  (defvar *allow-telnet* t))

(defmacro blocked-port-p (port)
  (let ((ports (if *allow-telnet* (remove 23 *blocked-ports*) *blocked-ports*)))
    `(or ,@(mapcar (lambda (p) `(= ,port ,p)) ports))))

(defprog smb-filter (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (blocked-port-p (tcp-dst-port tcp))
      (return XDP_DROP)))
  XDP_PASS)

;; expect-expansion: (or (= (ntohs (load u16 tcp 2)) 135) (= (ntohs (load u16 tcp 2)) 139) (= (ntohs (load u16 tcp 2)) 445))
;; expect-run: tcp:445 => XDP_DROP
;; expect-run: tcp:139 => XDP_DROP
;; expect-run: tcp:23 => XDP_PASS
;; expect-run: tcp:80 => XDP_PASS
