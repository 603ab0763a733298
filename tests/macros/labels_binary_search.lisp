;; LABELS with a recursive local function, SORT, SUBSEQ and NTHCDR: the macro turns a port set
;; into a balanced binary search of IFs (depth log2 n instead of n comparisons).
(defmacro port-member (var &rest ports)
  (labels ((tree (sorted)
             (cond ((null sorted) 0)
                   ((null (cdr sorted)) `(= ,var ,(car sorted)))
                   (t (let* ((mid (floor (length sorted) 2))
                             (pivot (nth mid sorted)))
                        `(if (< ,var ,pivot)
                             ,(tree (subseq sorted 0 mid))
                             ,(tree (nthcdr mid sorted))))))))
    (tree (sort (copy-list ports) #'<))))

(defprog bsearch (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((dport (tcp-dst-port tcp)))
      (if (port-member dport 443 22 8080 80 25 53 110) XDP_DROP XDP_PASS))))

;; sorted: 22 25 53 80 110 443 8080; pivot 80, then 25 / 443, then 53 / 110 / 8080
;; expect-expansion: (if (< dport 80)
;;|                      (if (< dport 25) (= dport 22) (if (< dport 53) (= dport 25) (= dport 53)))
;;|                      (if (< dport 443)
;;|                          (if (< dport 110) (= dport 80) (= dport 110))
;;|                          (if (< dport 8080) (= dport 443) (= dport 8080))))
;; expect-run: tcp:22 => XDP_DROP
;; expect-run: tcp:25 => XDP_DROP
;; expect-run: tcp:53 => XDP_DROP
;; expect-run: tcp:80 => XDP_DROP
;; expect-run: tcp:110 => XDP_DROP
;; expect-run: tcp:443 => XDP_DROP
;; expect-run: tcp:8080 => XDP_DROP
;; expect-run: tcp:21 => XDP_PASS
;; expect-run: tcp:54 => XDP_PASS
;; expect-run: tcp:111 => XDP_PASS
;; expect-run: tcp:9000 => XDP_PASS
