;; FORMAT and INTERN building names: DEFINE-PORT-CHECKS defines one macro NAME-P per service
;; (a macro defining other macros, the inner body a nested backquote with ,',).
(defmap seen :type :array :key-size 4 :value-size 8 :max-entries 4)

(defmacro define-port-checks (&rest services)
  `(progn
     ,@(loop for (name port) in services
             collect `(defmacro ,(intern (format nil "~:@(~a-p~)" name)) (tcp)
                        `(= (tcp-dst-port ,tcp) ,',port)))))

(define-port-checks (ssh 22) (dns 53) (http 80))

(defprog services (:type :xdp)
  (with-tcp (data data-end tcp)
    (cond ((ssh-p tcp) (incf (getmap seen 0)) XDP_DROP)
          ((dns-p tcp) (incf (getmap seen 1)) XDP_PASS)
          ((http-p tcp) (incf (getmap seen 2)) XDP_TX)
          (t XDP_PASS))))

;; expect-expansion: (if (= (ntohs (load u16 tcp 2)) 22) (progn
;; expect-expansion: (if (= (ntohs (load u16 tcp 2)) 53) (progn
;; expect-expansion: (if (= (ntohs (load u16 tcp 2)) 80) (progn
;; expect-no-expansion: ssh-p
;; expect-run: tcp:22 => XDP_DROP
;; expect-run: tcp:53 => XDP_PASS
;; expect-run: tcp:80 => XDP_TX
;; expect-run: tcp:80 => XDP_TX
;; expect-run: tcp:81 => XDP_PASS
;; expect-map: seen[0] = 1
;; expect-map: seen[1] = 1
;; expect-map: seen[2] = 2
