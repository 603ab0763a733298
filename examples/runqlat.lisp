;;; runqlat.lisp — run-queue latency histogram, as bcc's runqlat: how long runnable tasks
;;; wait on a CPU's run queue before they run, as a log2 histogram of microseconds.
;;;
;;; Three tracepoint programs share two maps:
;;;  - sched_wakeup / sched_wakeup_new: a task became runnable; remember when (start[pid]).
;;;  - sched_switch: the previous task, if it was preempted while still runnable (prev_state
;;;    0 = TASK_RUNNING), goes back on the run queue, so it gets a timestamp too; the next
;;;    task leaves the queue: its wait, now - start[pid], goes into hist[log2(usecs)] and
;;;    its entry is removed. The idle task (pid 0) is ignored.
;;; hist[k] counts waits of 2^k to 2^(k+1)-1 microseconds (k = 0 also holds waits under 1 us).
;;;
;;; Tracepoint programs read the raw trace record, so fields are read at the fixed offsets
;;; from /sys/kernel/tracing/events/sched/<event>/format (Linux 6.x, x86_64; mount tracefs
;;; with `mount -t tracefs nodev /sys/kernel/tracing` to read them). Tracepoints (rather than
;;; raw_tp) keep this free of task_struct layouts: the record carries the pids directly.
;;;
;;; Build:  npx deno run -A cli.ts compile examples/runqlat.lisp -o runqlat.bpf.o
;;; Load:   bpftool prog loadall runqlat.bpf.o /sys/fs/bpf/runqlat autoattach   (bpftool >= 7.2)
;;;         or attach each program with libbpf (bpf_program__attach) / perf_event_open +
;;;         PERF_EVENT_IOC_SET_BPF on the tracepoint named by its section.
;;; Watch:  bpftool map dump name hist

(in-package #:whistler)

;; sched/sched_wakeup and sched/sched_wakeup_new (same layout): "field:pid_t pid; offset:24; size:4"
(defconstant +wakeup-pid-off+ 24)
;; sched/sched_switch: "field:pid_t prev_pid; offset:24; size:4",
;; "field:long prev_state; offset:32; size:8", "field:pid_t next_pid; offset:56; size:4"
(defconstant +switch-prev-pid-off+ 24)
(defconstant +switch-prev-state-off+ 32)
(defconstant +switch-next-pid-off+ 56)

(defconstant +task-running+ 0)
(defconstant +max-slots+ 64)

(defmap start :type :hash
  :key-size 4 :value-size 8 :max-entries 10240)

(defmap hist :type :array
  :key-size 4 :value-size 8 :max-entries +max-slots+)

(defmacro record-enqueue (pid)
  `(let ((p ,pid))
     (declare (type u32 p))
     (when (/= p 0)
       (setf (getmap start p) (ktime-get-ns)))))

(defprog handle-sched-wakeup (:type :tracepoint :section "tracepoint/sched/sched_wakeup")
  (record-enqueue (ctx-load u32 +wakeup-pid-off+))
  0)

(defprog handle-sched-wakeup-new (:type :tracepoint :section "tracepoint/sched/sched_wakeup_new")
  (record-enqueue (ctx-load u32 +wakeup-pid-off+))
  0)

(defprog handle-sched-switch (:type :tracepoint :section "tracepoint/sched/sched_switch")
  (when (= (ctx-load u64 +switch-prev-state-off+) +task-running+)
    (record-enqueue (ctx-load u32 +switch-prev-pid-off+)))
  (let ((next (ctx-load u32 +switch-next-pid-off+)))
    (declare (type u32 next))
    (when (/= next 0)
      (when-let (ts (map-lookup start next))
        (let* ((delta-us (/ (- (ktime-get-ns) (load u64 ts 0)) 1000))
               (slot u32 (log2 delta-us)))
          (incf (getmap hist slot))
          (remmap start next)))))
  0)
