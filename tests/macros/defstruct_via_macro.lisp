;; A top-level macro expanding into DEFSTRUCT: the generated constructor, accessors, their
;; SETF forms and SIZEOF are usable in the program.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 2)

(defmacro def-pair (name type)
  `(defstruct ,name (first ,type) (second ,type)))

(def-pair port-pair u16)

(defprog pair (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((pp (make-port-pair)))
      (setf (port-pair-first pp) (tcp-src-port tcp))
      (setf (port-pair-second pp) (tcp-dst-port tcp))
      (setf (getmap out 0) (port-pair-first pp))
      (setf (getmap out 1) (+ (port-pair-second pp) (sizeof port-pair)))))
  XDP_PASS)

;; expect-run: tcp:80 => XDP_PASS
;; expect-map: out[0] = 40000
;; expect-map: out[1] = 84
