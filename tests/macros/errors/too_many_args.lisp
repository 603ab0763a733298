;; A call with too many arguments for the macro's lambda list.
(defmap c :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro bump (m k) ;; note: in macro "BUMP"
  `(incf (getmap ,m ,k)))

(defprog p (:type :xdp)
  (bump c 0 1) ;; error: Macro "BUMP" takes at most 2 arguments, got 3
  XDP_PASS)
