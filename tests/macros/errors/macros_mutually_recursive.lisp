;; isolate
;; PING expands into PONG and PONG into PING: mutual recursion without end is stopped by the
;; expansion depth limit, located at the user's call.
(defmacro ping (n) `(pong ,n))
(defmacro pong (n) `(ping (1+ ,n)))

(defprog p (:type :xdp)
  (ping 0) ;; error: Macro expansion does not terminate: "ping"
  XDP_PASS)
