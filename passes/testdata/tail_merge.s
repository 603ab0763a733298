	.section	"xdp"
	.globl	p
p:		; 19 instructions, 4 bytes of stack
; (with-ipv4 (data data-end ip)  [tail_merge.lisp:6]
    0:	r6 = *(u32 *)(r1 + 0x0)
    1:	r2 = *(u32 *)(r1 + 0x4)
    2:	r1 = r6
    3:	r1 += 0x22
    4:	if r1 > r2 goto +0xd <LBB0_6>
    5:	r1 = *(u16 *)(r6 + 0xc)
    6:	if r1 != 0x8 goto +0xb <LBB0_6>
; (when-let (c (getmap m 0))  [tail_merge.lisp:7]
    7:	*(u32 *)(r10 - 0x4) = 0x0
    8:	r1 = 0x0 ll # map m
   10:	r2 = r10
   11:	r2 += -0x4
   12:	call 0x1
   13:	r1 = 0x0
   14:	if r0 == 0x0 goto +0x1 <LBB0_4>
   15:	r1 = *(u64 *)(r0 + 0x0)
   16:	if r1 == 0x0 goto +0x1 <LBB0_6>
; (store u8 data 0 1)))  [tail_merge.lisp:8]
   17:	*(u8 *)(r6 + 0x0) = 0x1
; (with-ipv4 (data data-end ip)  [tail_merge.lisp:6]
   18:	r0 = 0x2
   19:	exit
