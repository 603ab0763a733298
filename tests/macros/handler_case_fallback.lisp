;; Conditions at compile time: HANDLER-CASE around PARSE-INTEGER picks a default for a port
;; that is not a number; IGNORE-ERRORS returns NIL; a handled ERROR does not stop compilation.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 3)

(defmacro port-or-default (text default)
  (handler-case (parse-integer text)
    (error () default)))

(defmacro checked (x)
  (handler-case (if (> x 65535) (error "port ~d too large" x) x)
    (error (c) (length (princ-to-string c)))))

(defmacro ct (form) (eval form))

(defprog fallback (:type :xdp)
  (setf (getmap out 0) (port-or-default "443" 1))
  (setf (getmap out 1) (port-or-default "https" 8443))
  (setf (getmap out 2) (+ (checked 99999) (ct (or (ignore-errors (parse-integer "x")) 0))))
  XDP_PASS)

;; "port 99999 too large" is 20 characters
;; expect-expansion: (map-update out 0 443 0) (map-update out 1 8443 0) (map-update out 2 (+ 20 0) 0)
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 443
;; expect-map: out[1] = 8443
;; expect-map: out[2] = 20
