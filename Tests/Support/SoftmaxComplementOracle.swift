/// `log(1 - softmax(z))` and its weighted gradient in closed form, as `let`s
/// in the program language, for tests to take as the truth where the
/// program as written has none at any fixed precision: `1 - p` at the
/// maximum is `exp(-gap)`, which a gap past 177 rounds to 0 even with 256
/// significand bits, and a gap past 100 leaves too few of them for the chain
/// rule's cancellation.
///
/// The value is the leave-one-out log-sum-exp less that of all, through the
/// second largest logit where the maximum is unique and through `S - 1`
/// where it is tied. The gradient of `sum(w * log(1 - p))` by `z` is `p_j
/// (sum_{i != j} w_i r_i - w_j)`, `r = p / (1 - p) = exp(z - loo)`, the sum
/// without `j` taken directly at the unique maximum. Nothing here cancels
/// beyond the rounding of a 256-bit evaluation, and its 62-bit exponent
/// keeps `exp(gap)` in range.
public enum SoftmaxComplementOracle {
    /// The `let`s defining `ocl` (the value, elementwise) and `ocg` (the
    /// gradient by the logits) of the logits named `z`, with weights `w` (a
    /// name or an expression), reduced along `axis` (`nil`: over every
    /// element). Their other names start with `oc`.
    public static func lets(logits z: String, weights w: String, axis: Int?) -> String {
        let along = axis.map { " \($0)" } ?? ""
        return """
            (let ocm (max \(z)\(along)))
            (let octop (eq \(z) ocm))
            (let ocy (where octop -inf \(z)))
            (let ocm2 (max ocy\(along)))
            (let ocs (sum (exp (- \(z) ocm))\(along)))
            (let octied (gt (sum octop\(along)) 1))
            (let ocothers (where octied (+ ocm (log (- ocs 1))) (+ ocm2 (log (sum (exp (- ocy ocm2))\(along))))))
            (let ocloo (where octop ocothers (+ ocm (log (- ocs (exp (- \(z) ocm)))))))
            (let ocl (- ocloo (+ ocm (log ocs))))
            (let ocwq (* \(w) (exp (- \(z) ocloo))))
            (let ocp (/ (exp (- \(z) ocm)) ocs))
            (let ocsq (sum ocwq\(along)))
            (let ocrest (where octied (- ocsq ocwq) (where octop (sum (where octop 0 ocwq)\(along)) (- ocsq ocwq))))
            (let ocg (* ocp (- ocrest \(w))))

            """
    }
}
