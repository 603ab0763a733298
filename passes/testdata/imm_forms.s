	.section	"xdp"
	.globl	p
p:		; 7 instructions, 0 bytes of stack
; (let ((x (load u8 (xdp-data) 0)))  [imm_forms.lisp:5]
    0:	r1 = *(u32 *)(r1 + 0x0)
    1:	r1 = *(u8 *)(r1 + 0x0)
; (if (> (+ x 7) 100) XDP_DROP XDP_PASS)))  [imm_forms.lisp:6]
    2:	r1 += 0x7
    3:	r0 = 0x2
    4:	if r1 <= 0x64 goto +0x1 <LBB0_2>
    5:	r0 = 0x1
; (defprog p (:type :xdp)  [imm_forms.lisp:4]
    6:	exit
