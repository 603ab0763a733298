;; A recursive macro: ALL-OF expands into IF and a smaller ALL-OF until one test is left.
(defmacro all-of (&rest tests)
  (cond ((null tests) 1)
        ((null (cdr tests)) (car tests))
        (t `(if ,(car tests) (all-of ,@(cdr tests)) 0))))

(defprog ssh-ack (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (all-of (= (tcp-dst-port tcp) 22)
                  (= (tcp-src-port tcp) 40000)
                  (/= (logand (tcp-flags tcp) +tcp-ack+) 0))
      (return XDP_DROP)))
  (if (all-of) XDP_PASS XDP_ABORTED))

;; expect-expansion: (if (if (= (ntohs (load u16 tcp 2)) 22)
;;|                           (if (= (ntohs (load u16 tcp 0)) 40000)
;;|                               (/= (logand (load u8 tcp 13) +tcp-ack+) 0)
;;|                               0)
;;|                           0)
;; expect-expansion: (if 1 xdp_pass xdp_aborted)
;; expect-no-expansion: all-of
;; expect-run: tcp:22 => XDP_DROP
;; expect-run: tcp-syn:22 => XDP_PASS
;; expect-run: tcp:23 => XDP_PASS
;; expect-run: arp => XDP_PASS
