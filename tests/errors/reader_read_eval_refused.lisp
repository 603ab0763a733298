;; #. (read-time evaluation) is not supported: compiling untrusted source must be safe.
(defprog p (:type :xdp)
  (if #.(+ 1 2) XDP_DROP XDP_PASS)) ; error@7: #.
