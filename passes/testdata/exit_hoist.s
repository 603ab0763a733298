	.section	"xdp"
	.globl	p
p:		; 24 instructions, 4 bytes of stack
; (with-tcp (data data-end tcp)  [exit_hoist.lisp:7]
    0:	r0 = 0x2
    1:	r2 = *(u32 *)(r1 + 0x0)
    2:	r3 = *(u32 *)(r1 + 0x4)
    3:	r1 = r2
    4:	r1 += 0x36
    5:	if r1 > r3 goto +0x12 <LBB0_7>
    6:	r1 = *(u16 *)(r2 + 0xc)
    7:	if r1 != 0x8 goto +0x10 <LBB0_7>
    8:	r1 = *(u8 *)(r2 + 0x17)
    9:	if r1 != 0x6 goto +0xe <LBB0_7>
   10:	r2 += 0x22
; (when (= (tcp-dst-port tcp) 9999)  [exit_hoist.lisp:8]
   11:	r1 = *(u16 *)(r2 + 0x2)
   12:	r1 = be16 r1
   13:	if r1 != 0x270f goto +0xa <LBB0_7>
; (incf (getmap drops 0))  [exit_hoist.lisp:9]
   14:	*(u32 *)(r10 - 0x4) = 0x0
   15:	r1 = 0x0 ll # map drops
   17:	r2 = r10
   18:	r2 += -0x4
   19:	call 0x1
   20:	if r0 == 0x0 goto +0x2 <LBB0_6>
   21:	r1 = 0x1
   22:	lock *(u64 *)(r0 + 0x0) += r1
; (return XDP_DROP)))  [exit_hoist.lisp:10]
   23:	r0 = 0x1
   24:	exit
