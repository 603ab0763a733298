;; A top-level MACROLET keeps its body at top level (CLHS 3.2.3.1): the local macro expands
;; into a DEFMAP, which declares the map as if written directly.
(macrolet ((def-counter (name)
             `(defmap ,name :type :array :key-size 4 :value-size 8 :max-entries 1)))
  (def-counter hits))

(defprog count (:type :xdp)
  (incf (getmap hits 0))
  XDP_PASS)

;; expect-run: arp x2 => XDP_PASS
;; expect-map: hits[0] = 2
