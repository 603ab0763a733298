;;; count-xdp.lisp — count every packet seen on an interface (the seed README's first program).
;;;
;;; Build:  npx deno run -A cli.ts compile examples/count-xdp.lisp -o count.bpf.o
;;; Load:   ip link set dev eth0 xdp obj count.bpf.o sec xdp
;;;    or:  bpftool prog load count.bpf.o /sys/fs/bpf/count
;;; Watch:  bpftool map dump name pkt_count

(in-package #:whistler)

(defmap pkt-count :type :array
  :key-size 4 :value-size 8 :max-entries 1)

(defprog count-packets (:type :xdp :license "GPL")
  (incf (getmap pkt-count 0))
  XDP_PASS)
