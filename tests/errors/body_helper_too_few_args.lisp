;; bpf_redirect takes (ifindex, flags).
(defprog p (:type :xdp)
  (redirect 3)) ; error@3: redirect
