	.section	"xdp"
	.globl	p
p:		; 6 instructions, 0 bytes of stack
; (if (load u8 (xdp-data) 0) XDP_PASS XDP_PASS))  [redundant_jumps.lisp:4]
    0:	r1 = *(u32 *)(r1 + 0x0)
    1:	r1 = *(u8 *)(r1 + 0x0)
    2:	r0 = 0x2
    3:	if r1 == 0x0 goto +0x1 <LBB0_2>
    4:	r0 = 0x2
; (defprog p (:type :xdp)  [redundant_jumps.lisp:3]
    5:	exit
