;; A top-level macro expanding into (progn (defmap …) …): DEFCOUNTERS declares one array map
;; per name, with names built by FORMAT, and a constant for their count.
(defmacro defcounters (&rest names)
  `(progn
     ,@(mapcar (lambda (n)
                 `(defmap ,(intern (format nil "~a-COUNT" n)) :type :array
                    :key-size 4 :value-size 8 :max-entries 1))
               names)
     (defconstant +counter-maps+ ,(length names))))

(defcounters tcp udp other)

(defprog classify (:type :xdp)
  (cond ((parse-tcp (xdp-data) (xdp-data-end)) (incf (getmap tcp-count 0)))
        ((parse-udp (xdp-data) (xdp-data-end)) (incf (getmap udp-count 0)))
        (t (incf (getmap other-count 0) +counter-maps+)))
  XDP_PASS)

;; expect-expansion: (map-lookup tcp-count 0)
;; expect-expansion: (atomic-add #:p 0 +counter-maps+ u64)
;; expect-run: tcp:80 x2 => XDP_PASS
;; expect-run: udp:53 => XDP_PASS
;; expect-run: arp => XDP_PASS
;; expect-map: tcp-count[0] = 2
;; expect-map: udp-count[0] = 1
;; expect-map: other-count[0] = 3
