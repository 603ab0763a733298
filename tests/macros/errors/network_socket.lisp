;; No network access at compile time: socket functions are undefined.
(defmacro fetch-blocklist ()
  (sb-bsd-sockets:socket-connect "blocklist.example" 80)) ;; error: Undefined function "SOCKET-CONNECT"

(defprog p (:type :xdp)
  (fetch-blocklist) ;; note: in expansion of macro "fetch-blocklist"
  XDP_PASS)
