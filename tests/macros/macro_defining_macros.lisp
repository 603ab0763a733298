;; A macro defining other macros: DEFALIAS writes a DEFMACRO whose body is itself a backquote
;; (two levels), forwarding to the old name with ,',old and ,@args.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 2)

(defmacro defalias (new old)
  `(defmacro ,new (&rest args) `(,',old ,@args)))

(defalias add +)
(defalias bits-or logior)

(defprog alias (:type :xdp)
  (setf (getmap out 0) (add 40 2))
  (setf (getmap out 1) (bits-or 1 2 (add 4 8)))
  XDP_PASS)

;; expect-expansion: (map-update out 0 (+ 40 2) 0)
;; expect-expansion: (map-update out 1 (logior 1 2 (+ 4 8)) 0)
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 42
;; expect-map: out[1] = 15
