;; A macro expanding into a call of another macro with the wrong number of arguments: the error
;; is at the user's call (the only source position there is), and the notes give the chain —
;; the inner macro's definition and the outer macro the call came from.
(defmap c :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro bump (m k) ;; note: in macro "BUMP"
  `(incf (getmap ,m ,k)))

(defmacro bump-all (m)
  `(bump ,m))

(defprog p (:type :xdp)
  (bump-all c) ;; error: Macro "BUMP" takes at least 2 arguments, got 1
  XDP_PASS)
;; note: expanded from macro "bump-all"
