;; RUN: --passes=load-hoist
;; Both arms of the lookup's null check start by loading the same tracepoint field: the load
;; moves above the branch (the branch tests the lookup result, not the context).
(defmap m :type :hash :key-size 4 :value-size 8 :max-entries 64)
(defprog p (:type :tracepoint :section "tracepoint/syscalls/sys_enter_write")
  (incf (getmap m (>> (get-current-pid-tgid) 32)) (ctx-load u64 32))
  0)
