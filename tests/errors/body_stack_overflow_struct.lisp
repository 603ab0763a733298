;; expect-note: big
;; A 600-byte struct on the stack exceeds BPF's 512-byte frame. Stack size is a property of
;; the whole program, so the error names the program; a note names what uses the space.
(defstruct big
  (len u32)
  (data (array u8 600)))
(defprog p (:type :xdp) ; error@10: stack
  (let ((b (make-big)))
    (setf (big-len b) 1)
    (if (big-len b) XDP_PASS XDP_DROP)))
