;; A keyword without its value: the &key arguments do not come in pairs.
(defmap c :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro bump (&key (map 'c) (index 0)) ;; note: in macro "BUMP"
  `(incf (getmap ,map ,index)))

(defprog p (:type :xdp)
  (bump :index) ;; error: odd number of keyword arguments
  XDP_PASS)
