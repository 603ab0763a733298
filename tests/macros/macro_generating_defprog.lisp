;; A macro generating whole programs: two DEFPROGs from one template share the file's maps
;; and its "xdp" section, each its own symbol.
(defmap drops :type :array :key-size 4 :value-size 8 :max-entries 2)

(defmacro def-port-dropper (name port slot)
  `(defprog ,name (:type :xdp)
     (with-tcp (data data-end tcp)
       (when (= (tcp-dst-port tcp) ,port)
         (incf (getmap drops ,slot))
         (return XDP_DROP)))
     XDP_PASS))

(def-port-dropper drop-ssh 22 0)
(def-port-dropper drop-dns 53 1)

;; expect-expansion: (defprog drop-ssh (:type :xdp :section "xdp" :license "GPL")
;; expect-expansion: (defprog drop-dns (:type :xdp :section "xdp" :license "GPL")
;; expect-run(drop-ssh): tcp:22 => XDP_DROP
;; expect-run(drop-ssh): tcp:53 => XDP_PASS
;; expect-run(drop-dns): tcp:53 x3 => XDP_DROP
;; expect-run(drop-dns): tcp:22 => XDP_PASS
;; expect-map: drops[0] = 1
;; expect-map: drops[1] = 3
