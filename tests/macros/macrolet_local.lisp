;; MACROLET inside a program body: a local macro closing over nothing but its arguments,
;; with a nested backquote in its lambda.
(defprog ssh-guard (:type :xdp)
  (macrolet ((port-is (&rest ports)
               `(or ,@(mapcar (lambda (p) `(= dport ,p)) ports))))
    (with-tcp (data data-end tcp)
      (let ((dport (tcp-dst-port tcp)))
        (if (port-is 22 2222) XDP_DROP XDP_PASS)))))

;; expect-expansion: (if (or (= dport 22) (= dport 2222)) xdp_drop xdp_pass)
;; expect-no-expansion: port-is
;; expect-no-expansion: macrolet
;; expect-run: tcp:22 => XDP_DROP
;; expect-run: tcp:2222 => XDP_DROP
;; expect-run: tcp:80 => XDP_PASS
;; expect-run: arp => XDP_PASS
