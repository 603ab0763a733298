	.section	"xdp"
	.globl	p
p:		; 18 instructions, 4 bytes of stack
; (let ((x (load u8 (xdp-data) 0)))  [cross_jump.lisp:6]
    0:	r1 = *(u32 *)(r1 + 0x0)
    1:	r1 = *(u8 *)(r1 + 0x0)
; (when (= x 1)  [cross_jump.lisp:7]
    2:	if r1 == 0x1 goto +0x5 <LBB0_5>
; (when (= x 2)  [cross_jump.lisp:10]
    3:	if r1 == 0x2 goto +0x2 <LBB0_3>
; (defprog p (:type :xdp)  [cross_jump.lisp:5]
    4:	r0 = 0x2
    5:	exit
; (incf (getmap stats 2))  [cross_jump.lisp:11]
    6:	*(u32 *)(r10 - 0x4) = 0x2
    7:	goto +0x1 <LCJ_0>
; (incf (getmap stats 1))  [cross_jump.lisp:8]
    8:	*(u32 *)(r10 - 0x4) = 0x1
    9:	r1 = 0x0 ll # map stats
   11:	r2 = r10
   12:	r2 += -0x4
   13:	call 0x1
   14:	if r0 == 0x0 goto +0x2 <LBB0_7>
   15:	r1 = 0x1
   16:	lock *(u64 *)(r0 + 0x0) += r1
; (return XDP_DROP)))  [cross_jump.lisp:12]
   17:	r0 = 0x1
   18:	exit
