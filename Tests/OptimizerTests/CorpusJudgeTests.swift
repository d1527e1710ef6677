import Foundation
import Optimizer
import TensorOps
import XCTest

/// The families of `Tests/Corpus`, judged the judge's way with the project's
/// own binary64 evaluator: each case is optimized, evaluated on its input
/// sets, and compared with the judge's cached, correctly rounded truths
/// (`NAME.truth.json`) in cond bits, with the truths' own sensitivities.
///
/// Where a truth is nan, or unresolved, it is not scored; an infinite truth
/// is scored only in a case that sets `trust_infinite` (a fully masked row's
/// `-inf`), as the judge does. The cases here are the ones that optimize in
/// a few hundredths of a second in a release build, so the test stays short
/// in a debug one; CI judges every case with the independent judge.
final class CorpusJudgeTests: XCTestCase {
    /// The cases judged here: every family, at experts' accuracy.
    static let cases = [
        "bce_recip_mean", "bce_recip_sum", "bce_sigmoid_grad", "bce_sigmoid_mean", "bce_sigmoid_sum",
        "entropy_logsoftmax", "entropy_softmax", "lae_three", "lae_three_grad", "lae_two", "lae_two_grad",
        "lae_two_grad2", "lse_nested_all", "lse_nested_shift3", "lse_nested_shift3_grad", "lse_nested_sum01",
        "lse_nested_sum01_grad", "lse_nested_sum10", "mask_additive_softmax_rows", "mask_infs_logsoftmax_vec",
        "mask_infs_lse_rows", "mask_infs_softmax_rows", "mask_logsoftmax_rows", "mask_logsoftmax_rows_grad",
        "mask_lse_cols", "mask_lse_rows", "mask_neg1e30_logsoftmax_rows_grad", "mask_neg1e30_lse_rows",
        "mask_neg1e30_softmax_rows", "mask_softmax_cols", "mask_softmax_rows", "affine_lse_rows",
        "affine_softmax_cols", "affine_softmax_rows", "sigmoid_deriv_exp", "sigmoid_deriv_exp_pow",
        "sigmoid_deriv_prod", "sigmoid_deriv_prod_op", "sigmoid_log1m_op", "sigmoid_log1m_recip", "sigmoid_log_op",
        "sigmoid_log_recip", "sigmoid_log_recip_grad", "sigmoid_op_grad", "sigmoid_ratio_grad", "sigmoid_recip",
        "sigmoid_recip_grad", "softmin_log", "softmin_mul_neg1", "softmin_rows", "softmin_vec", "softplus_log1p_exp",
        "softplus_log1p_exp_grad", "softplus_log_grad", "softplus_log_grad2", "softplus_neg_deriv_hand",
        "softplus_neg_log", "softplus_neg_op_grad", "softplus_op_grad", "spell_log_softmax", "spell_softmax_exp_lse",
        "spell_softmax_pow", "spell_softmax_pow_grad", "spell_softmax_recip", "spell_softmax_recip_cols",
        "spell_xent", "spell_xent_logsoftmax_grad", "tanh_exp2", "tanh_exp2_grad", "tanh_exp_ratio",
        "tanh_exp_ratio_grad", "tanh_sigmoid", "tanh_sigmoid_recip", "temp_const_logsoftmax_mul10_grad",
        "temp_const_lse_div001", "temp_const_softmax_div001", "temp_const_softmax_mul10", "temp_logsoftmax_t",
        "temp_lse_t", "temp_lse_t_grad_t", "temp_smoothmax_t", "temp_softmax2d_t", "temp_softmax_t",
        // beyond softmax (issue 16)
        "br_elu", "br_elu_expm1_grad", "br_elu_grad", "br_elu_lt_grad", "br_selu_grad", "br_softplus_isinf",
        "br_softplus_thresh_grad", "invsp_exp", "invsp_exp_grad", "invsp_expm1", "l1me_grad", "l1me_log1m",
        "l1me_log1p", "l1me_lse_diff", "l1me_lse_diff_grad", "logcosh_exp", "logcosh_exp_grad", "logcosh_sub_log2",
        "logit_sigmoid", "logit_sigmoid_sub", "lv_nll_exp", "lv_nll_sqrt", "lv_vae_kl", "lv_zscore", "poisson_nll",
        "poisson_nll_grad", "poisson_rate_grad", "ratio_exp", "ratio_exp_clip", "ratio_exp_grad_b", "var_layernorm",
        "var_naive", "var_naive_grad", "var_naive_pow", "var_naive_rows", "var_std_naive",
        // fast since the gradients of stable forms (the temperatures' second
        // derivative among them)
        "affine_softmax_rows_grad_a", "bce_recip_grad", "bce_recip_mean_grad", "bce_sigmoid_elementwise",
        "entropy_rows", "l1msm_cols_log1p", "l1msm_exp_lse", "l1msm_log1p", "l1msm_rows", "l1msm_temp",
        "l1msm_unlikelihood", "l1msm_vec", "logit_sigmoid_grad", "logsoftmax_grad_weighted", "logsoftmax_sub",
        "lse2d_axis0", "lse_vec", "mask_softmax_rows_grad", "ratio_exp_grad_a", "sigmoid_exp_ratio",
        "sigmoid_recip_grad2", "slse_b", "slse_b_axis", "slse_b_cols", "slse_b_rows", "slse_pair_add",
        "slse_pair_sub", "softmax2d_last", "softmax_div", "softmax_grad_weighted", "softmax_value_and_grad",
        "softmin_vec_grad", "softplus_log", "spell_lse_hvp", "spell_softmax_exp_lse_grad", "spell_xent_rows_grad",
        "sqrt_dist_sq_grad", "sqrt_norm_mul_grad", "sqrt_norm_sq_grad", "sqrt_norm_sq_value",
        "temp_logsoftmax_t_grad_x", "xent_vec_grad", "temp_smoothmax_t_grad2_t",
        // temperatures' gradients and second derivatives, a mixture's gradients
        "temp_entropy_t_grad_t", "temp_kl_t_grad_t", "temp_lse_t_grad2_t", "temp_lse_t_hvp", "temp_xent_rows_t_grad_t",
        "temp_xent_t_grad_t", "spell_softmax_grad_grad", "mix_mdn_grad_x", "mix_sigma_nll_grad",
        // normalising by a norm at 1e200 and 1e-200
        "l2_normalize_vec", "l2_normalize_pow", "l2_normalize_rows", "cosine_vec", "cosine_vec_div", "cosine_rows",
        "l2_normalize_vec_grad", "cosine_vec_grad", "l2_normalize_scaled_grad",
        // log(1 - softmax) differentiated: split at the maximum, then saturated
        "l1msm_vec_grad", "l1msm_unlikelihood_grad", "l1msm_rows_grad", "l1msm_log1p_grad", "l1msm_exp_lse_grad",
        "l1msm_temp_grad", "l1msm_pow_grad",
    ]

    /// Experts' accuracy: what library functions reach on these inputs.
    static let acceptableBits = 3.0

    func testTheFamiliesComeOutStableAndAccurate() throws {
        var problems: [String] = []
        for name in CorpusJudgeTests.cases {
            let worst = try CorpusJudgeTests.judge(name, problems: &problems)
            if worst > CorpusJudgeTests.acceptableBits {
                problems.append("\(name): worst \(worst) cond bits")
            }
        }
        XCTAssertTrue(problems.isEmpty, problems.prefix(10).joined(separator: "\n"))
    }

    /// Optimizes the case `name` and returns its worst cond bits over every
    /// scored element, noting a nan or inf against a finite truth (or the
    /// wrong infinity) in `problems`.
    static func judge(_ name: String, problems: inout [String]) throws -> Double {
        let read = { (suffix: String) in
            try String(contentsOf: CorpusTests.corpus.appendingPathComponent(name + suffix), encoding: .utf8)
        }
        let program = try TensorProgram(parsing: read(".eqs"), file: name + ".eqs")
        let optimized = try optimize(program).program
        let caseFile = try JSONValue.parse(read(".json"))
        let trustsInfinite = caseFile.member("trust_infinite") == .bool(true)
        guard case .array(let inputSets)? = caseFile.member("input_sets"),
            case .array(let truthSets)? = try JSONValue.parse(read(".truth.json")).member("sets")
        else { throw CorpusJudgeError("\(name): no input sets or truths") }
        var worst = 0.0
        for (inputSet, truthSet) in zip(inputSets, truthSets) {
            let setName = inputSet.member("name")?.stringValue ?? "?"
            guard case .object(let values)? = inputSet.member("values") else { continue }
            var inputs: [String: NDArray<Double>] = [:]
            for (key, value) in values { inputs[key] = try NDArray<Double>(nested: value) }
            let computed = try optimized.evaluate(inputs)
            for (index, output) in program.outputs.enumerated() {
                guard let truth = truthSet.member("outputs")?.member(output.name) else { continue }
                let truths = try NDArray<Double>(nested: truth.member("values") ?? .null).elements
                let unresolved = numbers(truth.member("unresolved"))
                let sensitivities = numbers(truth.member("sens"))
                for (element, t) in truths.enumerated() {
                    if t.isNaN || unresolved.indices.contains(element) && unresolved[element] != 0 { continue }
                    if !t.isFinite && !trustsInfinite { continue }
                    let c = computed[index].value.elements[element]
                    let sensitivity = sensitivities.indices.contains(element) ? sensitivities[element] : 0
                    guard let bits = ErrorMeasure.mixedBits(computed: c, truth: t, sensitivity: sensitivity) else {
                        continue
                    }
                    if bits >= ErrorMeasure.maximumBits {
                        problems.append("\(name) [\(setName)] \(output.name)[\(element)]: \(c) where the truth is \(t)")
                    }
                    worst = max(worst, bits)
                }
            }
        }
        return worst
    }

    /// A JSON array of numbers, flattened; empty for anything else.
    private static func numbers(_ value: JSONValue?) -> [Double] {
        guard let value, let array = try? NDArray<Double>(nested: value) else { return [] }
        return array.elements
    }
}

/// A case file that cannot be judged.
struct CorpusJudgeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
