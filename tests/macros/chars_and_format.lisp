;; Characters and FORMAT at compile time: a four-character code from a string (ACROSS,
;; CHAR-CODE), PARSE-INTEGER :radix, and FORMAT's ~a ~d ~x ~{~^~} and ~( directives.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 6)

(defmacro fourcc (s)
  (loop for c across s for shift from 0 by 8 sum (ash (char-code c) shift)))

(defmacro ct (form) (eval form))

(defprog text (:type :xdp)
  (setf (getmap out 0) (fourcc "WHST"))
  (setf (getmap out 1) (ct (length (format nil "~a-~d" 'drop 443))))
  (setf (getmap out 2) (ct (parse-integer (format nil "~d~d" 12 34))))
  (setf (getmap out 3) (ct (parse-integer (format nil "~x" 48879) :radix 16)))
  (setf (getmap out 4) (ct (length (format nil "~{~a~^,~}" '(1 2 3)))))
  (setf (getmap out 5) (ct (char-code (char (format nil "~(~a~)" 'x) 0))))
  XDP_PASS)

;; "WHST" = #x54534857; "DROP-443" has 8 characters; "1,2,3" has 5; #\x is 120
;; expect-expansion: (map-update out 0 1414744151 0)
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = #x54534857
;; expect-map: out[1] = 8
;; expect-map: out[2] = 1234
;; expect-map: out[3] = 48879
;; expect-map: out[4] = 5
;; expect-map: out[5] = 120
