	.section	"xdp"
	.globl	p
p:		; 14 instructions, 4 bytes of stack
; (let ((v (getmap m 0)))  [redundant_moves.lisp:6]
    0:	*(u32 *)(r10 - 0x4) = 0x0
    1:	r1 = 0x0 ll # map m
    3:	r2 = r10
    4:	r2 += -0x4
    5:	call 0x1
    6:	r1 = 0x0
    7:	if r0 == 0x0 goto +0x1 <LBB0_2>
    8:	r1 = *(u64 *)(r0 + 0x0)
; (when v  [redundant_moves.lisp:7]
    9:	if r1 == 0x0 goto +0x3 <LBB0_4>
; (atomic-add v 0 1)  [redundant_moves.lisp:8]
   10:	r2 = 0x1
   11:	lock *(u64 *)(r1 + 0x0) += r2
; (atomic-add v 0 1)))  [redundant_moves.lisp:9]
   12:	lock *(u64 *)(r1 + 0x0) += r2
; (defprog p (:type :xdp)  [redundant_moves.lisp:5]
   13:	r0 = 0x2
   14:	exit
