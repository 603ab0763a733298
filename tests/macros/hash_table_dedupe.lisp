;; A macro using a compile-time hash table (:test 'equal) to drop duplicate ports, keeping the
;; first occurrence of each, then NREVERSE to restore the order.
(defmacro port-in (var &rest ports)
  (let ((seen (make-hash-table :test 'equal)) (out nil))
    (dolist (p ports)
      (unless (gethash p seen)
        (setf (gethash p seen) t)
        (push p out)))
    `(or ,@(mapcar (lambda (p) `(= ,var ,p)) (nreverse out)))))

(defprog dedupe (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((dport (tcp-dst-port tcp)))
      (if (port-in dport 22 80 22 443 80 22) XDP_DROP XDP_PASS))))

;; expect-expansion: (if (or (= dport 22) (= dport 80) (= dport 443)) xdp_drop xdp_pass)
;; expect-run: tcp:22 => XDP_DROP
;; expect-run: tcp:443 => XDP_DROP
;; expect-run: tcp:444 => XDP_PASS
