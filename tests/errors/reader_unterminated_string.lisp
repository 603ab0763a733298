;; error-line: 4: unterminated string
;; The license string is opened on line 4 and never closed; the error must point at its
;; opening quote, not at the end of the file.
(defprog p (:type :xdp :license "GPL)
  XDP_PASS)
