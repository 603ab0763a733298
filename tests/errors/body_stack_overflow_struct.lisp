;; expect-note: big
;; A 600-byte struct on the stack exceeds BPF's 512-byte frame. Stack size is a property of
;; the whole program, so the error names the program; a note names what uses the space.
;; The struct is passed to a helper by address, so no optimisation can remove it.
(defstruct big
  (len u32)
  (data (array u8 600)))
(defmap out :type :hash :key-size 4 :value-size 604 :max-entries 1)
(defprog p (:type :xdp) ; error@10: stack
  (let ((b (make-big)))
    (setf (big-len b) 1)
    (map-update out 0 b 0)
    XDP_PASS))
