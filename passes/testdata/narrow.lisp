;; RUN: --passes=narrow,copy-prop,dce
;; (cast i32 x) compared with -100 and with 0 needs no sign extension: the comparisons become
;; JMP32 on x itself. In the second program the u32 sum and counter are only used through their
;; zero-extensions: the additions become add32 and the extensions copies.
(defmap m :type :array :key-size 4 :value-size 8 :max-entries 3)
(defprog k (:type :kprobe :section "kprobe/do_unlinkat")
  (let ((dfd (cast i32 (pt-regs-parm1))))
    (incf (getmap m (cond ((= dfd -100) 0) ((s< dfd 0) 1) (t 2)))))
  0)
(defprog x (:type :xdp)
  (with-packet (data data-end :min-len 8)
    (let ((n 0))
      (declare (type u32 n))
      (dotimes (i 8)
        (setf n (+ n (load u8 data i))))
      (incf (getmap m 0) n)))
  XDP_PASS)
