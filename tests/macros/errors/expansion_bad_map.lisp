;; A user macro expanding into a built-in macro (GETMAP via INCF) with a name that is not a map:
;; the built-in's error is at the user's call, with notes naming both macros in the chain.
(defmap counters :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro bump (m)
  `(incf (getmap ,m 0)))

(defprog p (:type :xdp)
  (bump countres) ;; error: Expected a map name, got "countres"
  XDP_PASS)
;; note: expanded from macro "bump"
