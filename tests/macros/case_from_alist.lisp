;; A macro generating a CASE form from a compile-time association list (CAR/CDR of dotted
;; pairs); the built-in CASE then becomes a chain of tests on one gensym'd key.
(defparameter *service-verdicts*
  '((22 . XDP_DROP) (53 . XDP_PASS) ((80 443) . XDP_TX)))

(defmacro verdict-for (port)
  `(case ,port
     ,@(mapcar (lambda (e) `(,(car e) ,(cdr e))) *service-verdicts*)
     (otherwise XDP_ABORTED)))

(defprog services (:type :xdp)
  (with-tcp (data data-end tcp)
    (verdict-for (tcp-dst-port tcp))))

;; expect-expansion: (let ((#:key (ntohs (load u16 tcp 2))))
;;|                    (if (or (= #:key 22)) (progn xdp_drop)
;;|                      (if (or (= #:key 53)) (progn xdp_pass)
;;|                        (if (or (= #:key 80) (= #:key 443)) (progn xdp_tx) (progn xdp_aborted)))))
;; expect-run: tcp:22 => XDP_DROP
;; expect-run: tcp:53 => XDP_PASS
;; expect-run: tcp:80 => XDP_TX
;; expect-run: tcp:443 => XDP_TX
;; expect-run: tcp:81 => XDP_ABORTED
;; expect-run: arp => XDP_PASS
