;; RUN: --passes=exit-hoist,tail-merge --emit=asm
;; No path to the XDP_PASS exit calls a helper before it: `r0 = 2` moves to the first
;; instruction, the exit shrinks to a bare `exit`, and tail-merge lets the XDP_DROP exit
;; (after the call) fall into it.
(defmap drops :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog p (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) 9999)
      (incf (getmap drops 0))
      (return XDP_DROP)))
  XDP_PASS)
