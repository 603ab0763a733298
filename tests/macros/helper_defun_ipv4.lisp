;; Helper DEFUNs called by a macro: an IPv4 address string is parsed at compile time (LOOP,
;; POSITION, PARSE-INTEGER :start :end) into the u32 that a raw load of the address gives
;; (network byte order read little-endian), so the program compares against an immediate.
(defun split-dots (s)
  (loop with start = 0
        for dot = (position #\. s :start start)
        collect (parse-integer s :start start :end dot)
        while dot
        do (setq start (1+ dot))))

(defun wire-ipv4 (s)
  (let ((bytes (split-dots s)))
    (unless (= (length bytes) 4) (error "Bad IPv4 address ~s" s))
    (loop for b in bytes
          for shift from 0 by 8
          sum (ash b shift))))

(defmacro ipv4-literal (s) (wire-ipv4 s))

(defprog deny-host (:type :xdp)
  (with-ipv4 (data data-end ip)
    (when (= (ipv4-src-addr ip) (ipv4-literal "10.0.0.1"))
      (return XDP_DROP)))
  XDP_PASS)

;; 10 + 0<<8 + 0<<16 + 1<<24 = 16777226
;; expect-expansion: (= (load u32 ip 12) 16777226)
;; expect-run: tcp:80@10.0.0.1 => XDP_DROP
;; expect-run: udp:53@10.0.0.1 => XDP_DROP
;; expect-run: tcp:80@10.0.0.3 => XDP_PASS
;; expect-run: tcp:80@1.0.0.10 => XDP_PASS
;; expect-run: arp => XDP_PASS
