;; Hygiene of CASE: its key temporary is a gensym, so a user variable named KEY can be used in
;; the clauses and in the key form itself.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog case-hygiene (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((key 3))
      (case (tcp-dst-port tcp)
        (80 (setf (getmap out 0) key))
        ((443 8443) (setf (getmap out 1) (+ key 1)))
        (t (setf (getmap out 2) key)))
      (case (+ key 77)
        (80 (setf (getmap out 3) key)))))
  XDP_PASS)

;; expect-expansion: (let ((#:key (+ key 77))) (if (or (= #:key 80)) (progn (map-update out 3 key 0)) 0))
;; expect-run: tcp:80 => XDP_PASS
;; expect-map: out[0] = 3
;; expect-map: out[3] = 3
;; expect-run: tcp:8443 => XDP_PASS
;; expect-map: out[1] = 4
;; expect-run: tcp:1 => XDP_PASS
;; expect-map: out[2] = 3
