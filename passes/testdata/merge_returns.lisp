;; RUN: --passes=merge-returns,simplify-cfg
;; with-tcp's three guards each return XDP_PASS (2); after the pass they branch to one block.
(defprog p (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) 22) (return XDP_DROP)))
  XDP_PASS)
