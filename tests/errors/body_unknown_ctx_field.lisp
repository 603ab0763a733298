;; xdp_md has data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex.
(defprog p (:type :xdp)
  (if (= (ctx ifindex) 3) XDP_DROP XDP_PASS)) ; error@15: ifindex
