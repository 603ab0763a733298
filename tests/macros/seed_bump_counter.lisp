;; The seed README's bump-counter macro, verbatim. It expands to (incf (getmap MAP IDX)), which
;; the built-in incf turns into a lookup, a null check and an atomic add on the array map.
(in-package #:whistler)

(defmap stats :type :array :key-size 4 :value-size 8 :max-entries 4)

(defmacro bump-counter (map idx)
  `(incf (getmap ,map ,idx)))

(defprog count-all (:type :xdp :license "GPL")
  (bump-counter stats 0)
  (bump-counter stats (+ 1 2))
  XDP_PASS)

;; expect-expansion: (let ((#:p (map-lookup stats 0)))
;; expect-expansion: (atomic-add #:p 0 1 u64)
;; expect-expansion: (let ((#:p (map-lookup stats (+ 1 2))))
;; expect-no-expansion: bump-counter
;; expect-no-expansion: getmap
;; expect-run: tcp:80 => XDP_PASS
;; expect-run: arp x2 => XDP_PASS
;; expect-map: stats[0] = 3
;; expect-map: stats[3] = 3
;; expect-map: stats[1] = 0
