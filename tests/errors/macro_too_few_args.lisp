(defmacro bump (m k)
  `(incf (getmap ,m ,k)))
(defmap c :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog p (:type :xdp)
  (bump c) ; error@3: bump
  XDP_PASS)
