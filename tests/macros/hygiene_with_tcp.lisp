;; Hygiene of the packet macros: the user names WITH-TCP's header pointer P, the name INCF's
;; temporary has, and passes PARSE-TCP an end pointer held in a variable called DATA, the name
;; of PARSE-TCP's own temporary. Both still mean the user's values.
(defmap hits :type :array :key-size 4 :value-size 8 :max-entries 3)

(defprog tcp-hygiene (:type :xdp)
  (let ((k 1))
    (with-tcp (d e p)
      (incf (getmap hits 0) (tcp-dst-port p))
      (incf (getmap hits k) (tcp-src-port p))))
  XDP_PASS)

(defprog parse-hygiene (:type :xdp)
  (let* ((start (xdp-data))
         (data (xdp-data-end))
         (tcp (parse-tcp start data)))
    (if tcp XDP_DROP XDP_PASS)))

;; expect-expansion: (let ((#:p (map-lookup hits 0)))
;; expect-expansion: (atomic-add #:p 0 (ntohs (load u16 p 2)) u64)
;; expect-expansion: (let ((#:data start))
;; expect-expansion: (<= (+ #:data 54) data)
;; expect-run(tcp-hygiene): tcp:80 => XDP_PASS
;; expect-map: hits[0] = 80
;; expect-map: hits[1] = 40000
;; expect-run(parse-hygiene): tcp:80 => XDP_DROP
;; expect-run(parse-hygiene): udp:80 => XDP_PASS
;; expect-run(parse-hygiene): short => XDP_PASS
