;; RUN: --passes=store-forward,copy-prop,dce
;; The u16 stored to the stack is read back as the constant (an ext of it); the packet field
;; loaded in the test is reused after the branch instead of loaded again.
(defprog p (:type :tc)
  (let* ((data (tc-data)) (data-end (tc-data-end)))
    (when (> (+ data 54) data-end) (return TC_ACT_OK))
    (when (/= (load u16 data 36) #x901f) (return TC_ACT_OK))
    (let ((old (load u16 data 36))
          (new (htons 80)))
      (declare (type u16 new))
      (l4-csum-replace (ctx-ptr) 50 old new 2)
      (skb-store-bytes (ctx-ptr) 36 (stack-addr new) 2 0)))
  TC_ACT_OK)
