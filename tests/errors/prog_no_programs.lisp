;; error-anywhere: no programs
;; A file with maps and constants but no defprog has nothing to put in the object.
(defmap m :type :array :key-size 4 :value-size 8 :max-entries 1)
(defconstant +x+ 3)
