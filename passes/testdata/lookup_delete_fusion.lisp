;; RUN: --passes=lookup-delete-fusion,dse,stack-coloring
;; The delete takes the lookup's key slot (still holding `pid`): its own key store dies. The
;; other map's key, which reused that temporary slot in between, moves to a slot of its own.
(defmap start :type :hash :key-size 4 :value-size 8 :max-entries 64)
(defmap hist :type :array :key-size 4 :value-size 8 :max-entries 8)
(defprog p (:type :tracepoint :section "tracepoint/sched/sched_switch")
  (let ((pid (ctx-load u32 56)))
    (declare (type u32 pid))
    (when-let (ts (map-lookup start pid))
      (incf (getmap hist (logand (load u64 ts 0) 7)))
      (remmap start pid)))
  0)
