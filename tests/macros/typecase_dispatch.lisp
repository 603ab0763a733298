;; ETYPECASE in a macro: a port given as an integer, a service name string (looked up with
;; ASSOC :test #'string-equal) or a keyword (SYMBOL-NAME).
(defparameter *services* '(("ssh" . 22) ("dns" . 53) ("http" . 80)))

(defmacro port-of (x)
  (etypecase x
    (integer x)
    (string (or (cdr (assoc x *services* :test #'string-equal))
                (error "Unknown service ~s" x)))
    (keyword (cdr (assoc (symbol-name x) *services* :test #'string-equal)))))

(defprog named-ports (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((dport (tcp-dst-port tcp)))
      (if (or (= dport (port-of "SSH")) (= dport (port-of :dns)) (= dport (port-of 8080)))
          XDP_DROP
          XDP_PASS))))

;; expect-expansion: (if (or (= dport 22) (= dport 53) (= dport 8080)) xdp_drop xdp_pass)
;; expect-run: tcp:22 => XDP_DROP
;; expect-run: tcp:53 => XDP_DROP
;; expect-run: tcp:8080 => XDP_DROP
;; expect-run: tcp:80 => XDP_PASS
