;; Non-local control flow at compile time: BLOCK/RETURN-FROM out of DOLIST, TAGBODY/GO,
;; CATCH/THROW through a function, UNWIND-PROTECT cleanup, and DO with a result form.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 5)

(defun first-above (limit xs)
  (dolist (x xs 0)
    (when (> x limit) (return-from first-above x))))

(defun find-or-throw (x xs)
  (if (member x xs) x (throw 'missing 999)))

(defmacro ct (form) (eval form))

(defprog control (:type :xdp)
  (setf (getmap out 0) (ct (first-above 100 '(22 80 443 8080))))
  (setf (getmap out 1) (ct (let ((n 0)) (tagbody top (incf n 3) (when (< n 10) (go top))) n)))
  (setf (getmap out 2) (ct (catch 'missing (find-or-throw 25 '(22 80)))))
  (setf (getmap out 3) (ct (let ((log 0))
                             (catch 'out (unwind-protect (throw 'out 1) (setq log 7)))
                             log)))
  (setf (getmap out 4) (ct (do ((i 0 (1+ i)) (acc 1 (* acc 3))) ((= i 4) acc))))
  XDP_PASS)

;; 443; 3 6 9 12 -> 12; 999 from the throw; 7 from the cleanup; 3^4 = 81
;; expect-expansion: (map-update out 0 443 0) (map-update out 1 12 0) (map-update out 2 999 0)
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = 443
;; expect-map: out[1] = 12
;; expect-map: out[2] = 999
;; expect-map: out[3] = 7
;; expect-map: out[4] = 81
