;; Compile-time state: a DEFVAR counter incremented by each expansion of NEXT-SLOT, so three
;; textual calls get slots 0, 1 and 2 (expansion runs left to right, top to bottom).
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defvar *next-slot* 0)
(defmacro next-slot () (prog1 *next-slot* (incf *next-slot*)))

(defprog slots (:type :xdp)
  (setf (getmap out (next-slot)) 10)
  (setf (getmap out (next-slot)) 20)
  (setf (getmap out (next-slot)) 30)
  XDP_PASS)

;; expect-expansion: (map-update out 0 10 0) (map-update out 1 20 0) (map-update out 2 30 0)
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 10
;; expect-map: out[1] = 20
;; expect-map: out[2] = 30
;; expect-map: out[3] = 0
