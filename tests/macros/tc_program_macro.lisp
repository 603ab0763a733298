;; User macros in a TC (sched_cls) program: the same seed check-ports macro over WITH-TCP,
;; which here reads the __sk_buff context and falls through to TC_ACT_OK.
(defmap shot :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro check-ports (tcp &rest ports)
  `(or ,@(mapcar (lambda (p) `(= (tcp-dst-port ,tcp) ,p)) ports)))

(defmacro verdict-unless-allowed (tcp &rest ports)
  `(if (check-ports ,tcp ,@ports)
       TC_ACT_OK
       (progn (incf (getmap shot 0)) TC_ACT_SHOT)))

(defprog tc-filter (:type :tc)
  (with-tcp (data data-end tcp)
    (verdict-unless-allowed tcp 22 443)))

;; expect-expansion: (let* ((data (tc-data)) (data-end (tc-data-end)))
;; expect-expansion: (if (or (= (ntohs (load u16 tcp 2)) 22) (= (ntohs (load u16 tcp 2)) 443)) tc_act_ok
;; expect-run: tcp:22 => TC_ACT_OK
;; expect-run: tcp:443 => TC_ACT_OK
;; expect-run: tcp:80 => TC_ACT_SHOT
;; expect-run: udp:53 => TC_ACT_OK
;; expect-map: shot[0] = 1
