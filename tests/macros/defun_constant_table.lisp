;; A DEFUN computing a constant table at compile time (the CRC-32 table, reflected polynomial
;; #xEDB88320), inlined by a macro as a CASE over the index.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(eval-when (:compile-toplevel :load-toplevel :execute)
  (defun crc-entry (n)
    (let ((c n))
      (dotimes (k 8 c)
        (setq c (if (logbitp 0 c) (logxor #xEDB88320 (ash c -1)) (ash c -1)))))))

(defmacro crc-table-case (index n)
  `(case ,index
     ,@(loop for i below n collect `(,i ,(crc-entry i)))
     (t 0)))

(defprog crc (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((i (logand (tcp-dst-port tcp) 3)))
      (setf (getmap out i) (crc-table-case i 4))))
  XDP_PASS)

;; CRC-32 table entries 1..3 are #x77073096, #xEE0E612C, #x990951BA.
;; expect-expansion: (if (or (= #:key 1)) (progn 1996959894)
;; expect-expansion: (if (or (= #:key 2)) (progn 3993919788)
;; expect-expansion: (if (or (= #:key 3)) (progn 2567524794) (progn 0))
;; expect-run: tcp:81 => XDP_PASS
;; expect-run: tcp:82 => XDP_PASS
;; expect-run: tcp:83 => XDP_PASS
;; expect-run: tcp:80 => XDP_PASS
;; expect-map: out[0] = 0
;; expect-map: out[1] = #x77073096
;; expect-map: out[2] = #xEE0E612C
;; expect-map: out[3] = #x990951BA
