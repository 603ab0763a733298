;;; synflood-xdp.lisp — a SYN-flood filter (from the seed README): counts SYNs per source
;;; IPv4 address and drops a source's SYNs once it has sent more than +syn-threshold+.
;;; syn-stats: [0] SYNs seen, [1] SYNs dropped, [2] new sources.
;;;
;;; Build:  npx deno run -A cli.ts compile examples/synflood-xdp.lisp -o synflood.bpf.o
;;; Load:   ip link set dev eth0 xdp obj synflood.bpf.o sec xdp
;;; Watch:  bpftool map dump name syn_stats

(in-package #:whistler)

(defmap syn-counter :type :hash
  :key-size 4 :value-size 8
  :max-entries 32768)

(defmap syn-stats :type :array
  :key-size 4 :value-size 8
  :max-entries 3)

(defconstant +syn-threshold+ 100)

(defprog synflood
    (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (when (= (logand (tcp-flags tcp)
                     #x12)
             +tcp-syn+)
      (incf (getmap syn-stats 0))
      (let ((src (ipv4-src-addr
                  (+ data
                     +eth-hdr-len+))))
        (if-let (p (map-lookup
                    syn-counter src))
          (if (> (load u64 p 0)
                 +syn-threshold+)
              (progn
                (incf (getmap syn-stats 1))
                (return XDP_DROP))
              (atomic-add p 0 1))
          (progn
            (incf (getmap syn-stats 2))
            (setf (getmap syn-counter
                          src) 1))))))
  XDP_PASS)
