;; A keyword argument the macro's &key list does not accept.
(defmap c :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro bump (&key (map 'c) (index 0)) ;; note: in macro "BUMP"
  `(incf (getmap ,map ,index)))

(defprog p (:type :xdp)
  (bump :index 0 :step 2) ;; error: got unknown keyword argument :STEP
  XDP_PASS)
