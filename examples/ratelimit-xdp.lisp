;;; ratelimit-xdp.lisp — per-source IPv4 rate limiter for XDP.
;;;
;;; Every IPv4 packet is counted against its source address in a hash map (rl-table) over a
;;; fixed window: a source's first +default-limit+ packets in each window pass, the rest are
;;; dropped until the window (+default-window-ns+, one second) has elapsed since the window
;;; began; then its count starts again. Non-IPv4 frames pass untouched.
;;; Both numbers can be changed at run time without reloading: rl-config[0] is the limit and
;;; rl-config[1] the window in nanoseconds (0 = use the default).
;;; rl-stats: [0] IPv4 packets passed, [1] dropped, [2] new sources seen.
;;;
;;; Build:  npx deno run -A cli.ts compile examples/ratelimit-xdp.lisp -o ratelimit.bpf.o
;;; Load:   ip link set dev eth0 xdp obj ratelimit.bpf.o sec xdp
;;;    or:  bpftool prog load ratelimit.bpf.o /sys/fs/bpf/ratelimit
;;; Tune:   bpftool map update name rl_config key 0 0 0 0 value 0xe8 3 0 0 0 0 0 0   # limit 1000
;;; Watch:  bpftool map dump name rl_stats ; bpftool map dump name rl_table

(in-package #:whistler)

(defconstant +default-limit+ 100)               ; packets per source per window
(defconstant +default-window-ns+ 1000000000)    ; one second

;; The per-source state: when its current window began, and packets counted in it.
(defstruct rl-entry
  (window-start u64)
  (count u64))

(defmap rl-table :type :hash
  :key-size 4 :value-size 16 :max-entries 65536)

(defmap rl-config :type :array
  :key-size 4 :value-size 8 :max-entries 2)

(defmap rl-stats :type :array
  :key-size 4 :value-size 8 :max-entries 3)

(defprog ratelimit (:type :xdp :license "GPL")
  (with-ipv4 (data data-end ip)
    (let* ((src (ipv4-src-addr ip))     ; network order, used as the key as it is
           (now (ktime-get-ns))
           (limit (or (getmap rl-config 0) +default-limit+))
           (window (or (getmap rl-config 1) +default-window-ns+)))
      (declare (type u32 src))
      (if-let (e (map-lookup rl-table src))
        (progn
          ;; The window is over: start a new one.
          (when (>= (- now (rl-entry-window-start e)) window)
            (setf (rl-entry-window-start e) now
                  (rl-entry-count e) 0))
          (when (>= (rl-entry-count e) limit)
            (incf (getmap rl-stats 1))
            (return XDP_DROP))
          (atomic-add e 8 1))            ; rl-entry-count is at offset 8
        (let ((fresh (make-rl-entry)))
          (setf (rl-entry-window-start fresh) now
                (rl-entry-count fresh) 1)
          (setf (getmap rl-table src) fresh)
          (incf (getmap rl-stats 2))))
      (incf (getmap rl-stats 0))))
  XDP_PASS)
