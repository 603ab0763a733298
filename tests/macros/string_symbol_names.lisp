;; Building symbol names from strings: STRING, STRING-UPCASE, CONCATENATE and INTERN turn
;; (ethertype arp) into the built-in constant +ETHERTYPE-ARP+.
(defmacro ethertype (name)
  (intern (concatenate 'string "+ETHERTYPE-" (string-upcase (string name)) "+")))

(defprog no-arp (:type :xdp)
  (with-eth (data data-end eth)
    (if (= (eth-type eth) (ethertype arp)) XDP_DROP XDP_PASS)))

;; expect-expansion: (if (= (ntohs (load u16 eth 12)) +ethertype-arp+) xdp_drop xdp_pass)
;; expect-run: arp => XDP_DROP
;; expect-run: tcp:80 => XDP_PASS
;; expect-run: ipv6-tcp:80 => XDP_PASS
