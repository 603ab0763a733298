;; No process access at compile time: RUN-PROGRAM (package prefixes are ignored) is undefined.
(defmacro git-revision ()
  (uiop:run-program "git rev-parse HEAD" :output :string)) ;; error: Undefined function "RUN-PROGRAM"

(defmap out :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog p (:type :xdp)
  (setf (getmap out 0) (git-revision)) ;; note: in expansion of macro "git-revision"
  XDP_PASS)
