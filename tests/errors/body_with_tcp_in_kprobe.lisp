;; with-tcp parses packets: it has no meaning in a kprobe. The error is at the with-tcp form
;; and its message names it (a note repeating the same place would add nothing).
(defprog p (:type :kprobe :section "kprobe/tcp_v4_connect")
  (with-tcp (data data-end tcp) ; error@3: "with-tcp" needs a packet program
    (when (= (tcp-dst-port tcp) 80) (return 1)))
  0)
