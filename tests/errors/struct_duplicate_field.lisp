(defstruct conn
  (port u16)
  (addr u32)
  (port u16)) ; error@3: port
(defprog p (:type :xdp)
  (let ((c (make-conn)))
    (if (conn-addr c) XDP_PASS XDP_DROP)))
