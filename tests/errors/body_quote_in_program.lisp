;; Quoted data only exists at compile time: it has no BPF representation.
(defprog p (:type :xdp)
  (if (= 'drop 1) XDP_DROP XDP_PASS)) ; error@10: quoted
