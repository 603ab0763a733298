;;; multi-prog.lisp — two programs in one object sharing maps: an XDP program on ingress and
;;; a TC program on egress enforce one IPv4 blocklist and count into one statistics map.
;;;
;;;  - xdp-ingress (section "xdp"): drops IPv4 packets whose *source* is in blocklist.
;;;  - tc-egress   (section "tc"):  drops IPv4 packets whose *destination* is in blocklist.
;;; blocklist: IPv4 address (network order, 4 bytes) → u64 hits, bumped by either program.
;;; traffic-stats: [0] ingress packets, [1] ingress dropped, [2] egress packets,
;;;                [3] egress dropped, [4] IPv4 bytes seen (both directions).
;;; Adding an address to blocklist affects both directions at once, since both programs
;;; use the same map from the same object.
;;;
;;; Build:  npx deno run -A cli.ts compile examples/multi-prog.lisp -o multi.bpf.o
;;; Load:   bpftool prog loadall multi.bpf.o /sys/fs/bpf/multi pinmaps /sys/fs/bpf/multi/maps
;;;         ip link set dev eth0 xdp pinned /sys/fs/bpf/multi/xdp_ingress
;;;         tc qdisc add dev eth0 clsact
;;;         tc filter add dev eth0 egress bpf da pinned /sys/fs/bpf/multi/tc_egress
;;;    (libbpf: bpf_program__attach_xdp / bpf_program__attach_tcx on the same bpf_object)
;;; Block:  bpftool map update pinned /sys/fs/bpf/multi/maps/blocklist \
;;;             key 192 0 2 1 value 0 0 0 0 0 0 0 0
;;; Watch:  bpftool map dump pinned /sys/fs/bpf/multi/maps/traffic_stats

(in-package #:whistler)

(defmap blocklist :type :hash
  :key-size 4 :value-size 8 :max-entries 4096)

(defmap traffic-stats :type :array
  :key-size 4 :value-size 8 :max-entries 5)

;; Count the packet in slot SEEN (and its IPv4 length in slot 4); when ADDR is blocklisted,
;; bump its hit count and slot DROPPED and return DROP-VERDICT.
(defmacro police (ip addr seen dropped drop-verdict)
  `(let ((a ,addr))
     (declare (type u32 a))
     (incf (getmap traffic-stats ,seen))
     (incf (getmap traffic-stats 4) (ipv4-total-len ,ip))
     (when-let (hits (map-lookup blocklist a))
       (atomic-add hits 0 1)
       (incf (getmap traffic-stats ,dropped))
       (return ,drop-verdict))))

(defprog xdp-ingress (:type :xdp :section "xdp" :license "GPL")
  (with-ipv4 (data data-end ip)
    (police ip (ipv4-src-addr ip) 0 1 XDP_DROP))
  XDP_PASS)

(defprog tc-egress (:type :tc :section "tc" :license "GPL")
  (with-ipv4 (data data-end ip)
    (police ip (ipv4-dst-addr ip) 2 3 TC_ACT_SHOT))
  TC_ACT_OK)
