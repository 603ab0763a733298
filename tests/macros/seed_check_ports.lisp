;; The seed README's check-ports macro, verbatim: &rest, mapcar over a lambda and a backquote
;; nested inside a backquote's ,@ splice. It turns a list of ports into an (or …) of tests.
(in-package #:whistler)

(defmap stats :type :array :key-size 4 :value-size 8 :max-entries 2)

(defmacro bump-counter (map idx)
  `(incf (getmap ,map ,idx)))

(defmacro check-ports (tcp &rest ports)
  `(or ,@(mapcar (lambda (p) `(= (tcp-dst-port ,tcp) ,p)) ports)))

(defprog block-web (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (when (check-ports tcp 80 443 8080)
      (bump-counter stats 0)
      (return XDP_DROP)))
  (bump-counter stats 1)
  XDP_PASS)

;; expect-expansion: (if (or (= (ntohs (load u16 tcp 2)) 80)
;;|                           (= (ntohs (load u16 tcp 2)) 443)
;;|                           (= (ntohs (load u16 tcp 2)) 8080))
;;|                       (progn
;; expect-no-expansion: check-ports
;; expect-run: tcp:80 => XDP_DROP
;; expect-run: tcp:443 => XDP_DROP
;; expect-run: tcp-syn:8080 => XDP_DROP
;; expect-run: tcp:22 => XDP_PASS
;; expect-run: tcp:8081 => XDP_PASS
;; expect-run: udp:80 => XDP_PASS
;; expect-run: ipv6-tcp:80 => XDP_PASS
;; expect-run: arp => XDP_PASS
;; expect-run: short => XDP_PASS
;; expect-map: stats[0] = 3
;; with-tcp returns XDP_PASS at once for non-TCP frames: only tcp:22 and tcp:8081 reach bump 1.
;; expect-map: stats[1] = 2
