;;; tail-call-dispatch.lisp — dispatch IPv4 packets to per-protocol XDP programs through a
;;; prog-array indexed by the IP protocol number.
;;;
;;; The dispatcher tail-calls jump-table[ip protocol]. When no handler is installed at that
;;; index the tail call falls through: the dispatcher counts the packet as unhandled and
;;; passes it. Non-IPv4 frames pass without a tail call. The handlers, in the same object:
;;;  - handle-tcp  (install at 6):  drops TCP to port 23 (telnet), passes the rest
;;;  - handle-udp  (install at 17): passes UDP, counting datagrams to port 53 (DNS)
;;;  - handle-icmp (install at 1):  drops ICMP echo requests (ping), passes other ICMP
;;; dispatch-stats: [0] IPv4 packets with no handler, [1] TCP handled, [2] TCP dropped,
;;;                 [3] UDP handled, [4] UDP to port 53, [5] ICMP handled, [6] pings dropped.
;;;
;;; Build:  npx deno run -A cli.ts compile examples/tail-call-dispatch.lisp -o dispatch.bpf.o
;;; Load:   bpftool prog loadall dispatch.bpf.o /sys/fs/bpf/dispatch pinmaps /sys/fs/bpf/dispatch/maps
;;;         bpftool map update pinned /sys/fs/bpf/dispatch/maps/jump_table \
;;;             key 6 0 0 0 value pinned /sys/fs/bpf/dispatch/handle_tcp
;;;         (likewise key 17 → handle_udp, key 1 → handle_icmp)
;;;         ip link set dev eth0 xdp pinned /sys/fs/bpf/dispatch/dispatcher
;;; Watch:  bpftool map dump name dispatch_stats

(in-package #:whistler)

(defmap jump-table :type :prog-array
  :key-size 4 :value-size 4 :max-entries 256)

(defmap dispatch-stats :type :array
  :key-size 4 :value-size 8 :max-entries 7)

(defconstant +telnet-port+ 23)
(defconstant +dns-port+ 53)
(defconstant +icmp-echo-request+ 8)

(defprog dispatcher (:type :xdp :license "GPL")
  (with-ipv4 (data data-end ip)
    (tail-call jump-table (ipv4-protocol ip))
    ;; Only reached when jump-table has no program at this index.
    (incf (getmap dispatch-stats 0)))
  XDP_PASS)

(defprog handle-tcp (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (incf (getmap dispatch-stats 1))
    (when (= (tcp-dst-port tcp) +telnet-port+)
      (incf (getmap dispatch-stats 2))
      (return XDP_DROP)))
  XDP_PASS)

(defprog handle-udp (:type :xdp :license "GPL")
  (with-udp (data data-end udp)
    (incf (getmap dispatch-stats 3))
    (when (= (udp-dst-port udp) +dns-port+)
      (incf (getmap dispatch-stats 4))))
  XDP_PASS)

(defprog handle-icmp (:type :xdp :license "GPL")
  (with-icmp (data data-end icmp)
    (incf (getmap dispatch-stats 5))
    (when (= (icmp-type icmp) +icmp-echo-request+)
      (incf (getmap dispatch-stats 6))
      (return XDP_DROP)))
  XDP_PASS)
