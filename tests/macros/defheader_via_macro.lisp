;; A macro expanding into DEFHEADER with offsets computed from the field types (a helper DEFUN
;; with ECASE, LOOP collect … do incf): a packed view of the Ethernet header.
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defun type-size (type) (ecase type (u8 1) (u16 2) (u32 4) (u64 8)))

(defmacro def-packed-header (name &rest fields)
  (let ((offset 0))
    `(defheader ,name
       ,@(loop for (field type) in fields
               collect `(,field :offset ,offset :type ,type :net-order t)
               do (incf offset (type-size type))))))

(def-packed-header frame (dst-a u16) (dst-b u32) (src-a u16) (src-b u32) (type u16))

(defprog frame (:type :xdp)
  (with-packet (data data-end :min-len 14)
    (setf (getmap out 0) (frame-dst-a data))
    (setf (getmap out 1) (frame-dst-b data))
    (setf (getmap out 2) (frame-src-b data))
    (setf (getmap out 3) (frame-type data)))
  XDP_PASS)

;; offsets 0 2 6 8 12. tcp frames go to 02:00:00:00:00:02 from 02:00:00:00:00:01, type #x0800;
;; ARP goes to ff:ff:ff:ff:ff:ff, type #x0806.
;; expect-run: tcp:80 => XDP_PASS
;; expect-map: out[0] = #x0200
;; expect-map: out[1] = 2
;; expect-map: out[2] = 1
;; expect-map: out[3] = #x0800
;; expect-run: arp => XDP_PASS
;; expect-map: out[0] = #xffff
;; expect-map: out[1] = #xffffffff
;; expect-map: out[3] = #x0806
