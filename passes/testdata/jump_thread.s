	.section	"xdp"
	.globl	p
p:		; 10 instructions, 0 bytes of stack
; (let ((x (load u8 (xdp-data) 0)))  [jump_thread.lisp:5]
    0:	r1 = *(u32 *)(r1 + 0x0)
    1:	r1 = *(u8 *)(r1 + 0x0)
    2:	r0 = 0x1
; (cond ((= x 1) XDP_DROP)  [jump_thread.lisp:6]
    3:	if r1 == 0x1 goto +0x5 <LBB0_4>
    4:	r0 = 0x3
; ((= x 2) XDP_TX)  [jump_thread.lisp:7]
    5:	if r1 == 0x2 goto +0x3 <LBB0_4>
    6:	r0 = 0x2
; ((= x 3) XDP_DROP)  [jump_thread.lisp:8]
    7:	if r1 != 0x3 goto +0x1 <LBB0_4>
    8:	r0 = 0x1
; (defprog p (:type :xdp)  [jump_thread.lisp:4]
    9:	exit
