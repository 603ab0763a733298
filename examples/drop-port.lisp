;;; drop-port.lisp — drop TCP packets to port 9999 and count them (from the seed README).
;;;
;;; Build:  npx deno run -A cli.ts compile examples/drop-port.lisp -o drop-port.bpf.o
;;; Load:   ip link set dev eth0 xdp obj drop-port.bpf.o sec xdp
;;; Watch:  bpftool map dump name drop_count

(in-package #:whistler)

(defmap drop-count :type :array
  :key-size 4 :value-size 8
  :max-entries 1)

(defprog drop-port
    (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) 9999)
      (incf (getmap drop-count 0))
      (return XDP_DROP)))
  XDP_PASS)
