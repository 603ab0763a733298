;; A call with too few arguments for the macro's lambda list: the error is at the call, and a
;; note shows the macro's definition.
;; cli
(defmap c :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro bump (m k) ;; note: in macro "BUMP"
  `(incf (getmap ,m ,k)))

(defprog p (:type :xdp)
  (bump c) ;; error: Macro "BUMP" takes at least 2 arguments, got 1
  XDP_PASS)
