;; Two programs in one object with different licenses: the object has one license section.
(defprog a (:type :xdp :license "GPL")
  XDP_PASS)
(defprog b (:type :xdp :license "MIT") ; error: license
  XDP_DROP)
