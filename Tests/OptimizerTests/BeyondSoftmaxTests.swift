import Foundation
import Optimizer
import TensorOps
import TestSupport
import XCTest

/// The fragile formulas beyond softmax that public issue trackers report
/// (issue 16), each in the spelling of its report and at the inputs that
/// break it as written: the optimized program is finite and correct there.
final class BeyondSoftmaxTests: XCTestCase {
    /// Optimizes `written` and checks it on `inputs` against the truth: the
    /// 256-bit reference value of `truth` (by default of `written` itself),
    /// within `tolerance` of max(|truth|, 1). The written program must fail
    /// somewhere at these inputs, so the test shows a fix and not a form that
    /// was never broken.
    private func assertFixed(
        _ written: String, truth: String? = nil, _ inputs: [String: [Double]], tolerance: Double = 1e-12,
        options: OptimizeOptions = OptimizeOptions(), file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let program = try TensorProgram(parsing: written)
        let reference = try TensorProgram(parsing: truth ?? written)
        let doubles = inputs.mapValues { NDArray<Double>(vector: $0) }
        let exact = inputs.mapValues { NDArray<ReferenceFloat>(vector: $0.map(ReferenceFloat.init)) }
        let result = try optimize(program, options: options)
        let text = result.program.program().description
        let optimized = try result.program.evaluate(doubles)
        let asWritten = try program.evaluate(doubles)
        let truths = try reference.evaluate(exact)
        var writtenFails = false
        for (index, output) in truths.enumerated() {
            for (element, exactValue) in output.value.elements.enumerated() {
                let expected = exactValue.doubleValue
                guard expected.isFinite else { continue }
                let bound = tolerance * max(abs(expected), 1)
                let got = optimized[index].value.elements[element]
                XCTAssertTrue(
                    got.isFinite && abs(got - expected) <= bound,
                    "\(output.name)[\(element)]: \(got), truth \(expected)\n\(text)", file: file, line: line)
                let naive = asWritten[index].value.elements[element]
                if !naive.isFinite || abs(naive - expected) > bound { writtenFails = true }
            }
        }
        XCTAssertTrue(writtenFails, "the inputs do not break the program as written", file: file, line: line)
    }

    /// A hand-written ELU (JAX FAQ; PyTorch 68425): the gradient of the side
    /// not taken is 0 * exp(800), nan, unless its exp is clamped to x <= 0.
    func testHandWrittenELUGradientAtEightHundred() throws {
        try assertFixed(
            """
            (input x [n])
            (output g (grad (sum (where (gt x 0) x (- (exp x) 1))) x))
            """, ["x": [800, 1000, -800, 0.5, -0.5, 0]])
    }

    /// Softplus guarded by isinf(exp x) (JAX 5798; TensorFlow 38349): its
    /// gradient is nan where exp overflows.
    func testSoftplusGuardedByIsInfGradient() throws {
        try assertFixed(
            """
            (input x [n])
            (output g (grad (sum (where (eq (exp x) inf) x (log1p (exp x)))) x))
            """, truth: "(input x [n])\n(output g (sigmoid x))", ["x": [800, 710, -800, 0.5, -3]])
    }

    /// The gradient of |x|^2 written through the norm (JAX 4177; PyTorch
    /// 2421) at the zero vector: 0 * inf as written, 2x once (sqrt s)^2 is s.
    /// Four iterations reach it; the rest of the saturation distributes the
    /// gradient's products for a second in a release build, twenty in debug.
    func testSquaredNormGradientAtZero() throws {
        var options = OptimizeOptions()
        options.limits.iterations = 4
        try assertFixed(
            """
            (input x [n])
            (output g (grad (pow (sqrt (sum (* x x))) 2) x))
            """, truth: "(input x [n])\n(output g (* 2 x))", ["x": [0, 0, 0]], options: options)
    }

    /// L2 normalisation and cosine similarity (PyTorch 2421; TensorFlow
    /// 12071): sum(x^2) overflows at x = 1e200, so x / |x| is 0 as written,
    /// and underflows at 1e-200, where it is inf; scaled by max|x| first,
    /// both are exact to rounding, and so is the gradient.
    func testNormalisationAndCosineSimilarityAtExtremeScales() throws {
        let normalise = "(input x [n])\n(output y (/ x (sqrt (sum (* x x)))))"
        try assertFixed(normalise, ["x": [3e200, -4e200, 1e199]])
        try assertFixed(normalise, ["x": [3e-200, -4e-200, 0]])
        let cosine = """
            (input a [n])
            (input b [n])
            (output c (/ (sum (* a b)) (* (sqrt (sum (* a a))) (sqrt (sum (* b b))))))
            """
        try assertFixed(cosine, ["a": [3e200, -4e200, 1e199], "b": [1e-200, 2e-200, -5e-201]])
        // The gradient, taken of the scaled form: its derivative through the
        // scale would otherwise divide by the scale squared, 1e-400.
        let gradient = "(input x [n])\n(input w [n])\n(output g (grad (sum (* w (/ x (sqrt (sum (* x x)))))) x))"
        try assertFixed(gradient, ["x": [3e-200, -4e-200, 1e-201], "w": [1, 2, -0.5]])
    }

    /// E[x^2] - E[x]^2 at x = 1e8 + small: the two-pass form keeps the spread.
    func testVarianceOfLargeOffsetValues() throws {
        try assertFixed(
            """
            (input x [n])
            (output v (- (mean (* x x)) (* (mean x) (mean x))))
            """, ["x": [1e8 + 1, 1e8 - 1, 1e8 + 0.5, 1e8 - 0.5]], tolerance: 1e-9)
    }

    /// A Gaussian NLL through sigma = sqrt(exp(lv)) at lv = 800, where
    /// exp(lv) overflows: log(sigma) is lv / 2.
    func testGaussianNLLThroughSqrtExpAtLargeLogVariance() throws {
        try assertFixed(
            """
            (input y [n])
            (input mu [n])
            (input lv [n])
            (let s (sqrt (exp lv)))
            (output l (+ (log s) (* 0.5 (pow (/ (- y mu) s) 2))))
            """, ["y": [1, 2, 0.5], "mu": [0, 1, 0.25], "lv": [800, 1000, -2]])
    }

    /// The VAE KL at lv = -800, where log(exp lv) is log(0) as written.
    func testVAEKLAtVerySmallVariance() throws {
        try assertFixed(
            """
            (input mu [n])
            (input lv [n])
            (output kl (* -0.5 (sum (- (- (+ 1 (log (exp lv))) (* mu mu)) (exp lv)))))
            """, ["mu": [0.5, -1, 2], "lv": [-800, -1000, 0.5]])
    }

    /// log(1 - exp x) near 0 and log(exp a - exp b) past 709 (PyTorch 39242).
    func testLogOneMinusExpAndLogSubExp() throws {
        try assertFixed(
            """
            (input x [n])
            (output y (log (- 1 (exp x))))
            """, ["x": [-1e-20, -1e-10, -0.5, -40, -800]])
        try assertFixed(
            """
            (input a [n])
            (input b [n])
            (output z (log (- (exp a) (exp b))))
            """, ["a": [800, 1, -800], "b": [799, 1 - 1e-12, -801]])
    }

    /// Importance ratios exp(a)/exp(b) with both exps overflowing.
    func testExponentialRatio() throws {
        try assertFixed(
            """
            (input a [n])
            (input b [n])
            (output r (/ (exp a) (exp b)))
            """, ["a": [800, -800, 1000], "b": [801, -801, 999]])
    }

    /// log cosh written with exp, at |r| = 800: |r| - log 2, gradient tanh r.
    func testLogCoshAndItsGradient() throws {
        try assertFixed(
            """
            (input r [n])
            (let l (log (/ (+ (exp r) (exp (neg r))) 2)))
            (output l l)
            (output g (grad (sum l) r))
            """, ["r": [800, -800, 0.5, 1e-10]])
    }

    /// A Poisson log-likelihood through log(exp eta) at eta = -800.
    func testPoissonThroughLogOfExp() throws {
        try assertFixed(
            """
            (input y [n])
            (input eta [n])
            (output l (sum (- (exp eta) (* y (log (exp eta))))))
            """, ["y": [1, 2, 0], "eta": [-800, -1000, 0.5]])
    }

    /// The inverse softplus log(exp y - 1) at y = 1e-300 and y = 800.
    func testInverseSoftplus() throws {
        try assertFixed(
            """
            (input y [n])
            (output x (log (- (exp y) 1)))
            """, ["y": [1e-300, 1e-20, 800, 1000, 2]])
    }

    /// logit(sigmoid x) written log(p / (1 - p)), at x = 40 and 800: x.
    func testLogitOfSigmoidRoundTrip() throws {
        try assertFixed(
            """
            (input x [n])
            (let p (sigmoid x))
            (output z (log (/ p (- 1 p))))
            """, ["x": [40, 800, -800, 1e-10]])
    }

    /// A mixture density network's NLL (Keras 1061; PyTorch 48520) with x
    /// far from every component: each exp(-z^2/2) underflows and the log of
    /// their sum is -inf as written; softmax weights of logits near 800
    /// overflow. One log-sum-exp, shifted by its maximum, keeps both.
    func testMixtureNLLFarFromEveryComponent() throws {
        let mixture = """
            (input x [1])
            (input mu [k])
            (input ls [k])
            (input l [k])
            (let pi (/ (exp l) (sum (exp l))))
            (let sigma (exp ls))
            (let z (/ (- x mu) sigma))
            (output nll (neg (log (sum (* pi (/ (exp (* -0.5 (* z z))) sigma))))))
            """
        try assertFixed(mixture, ["x": [300], "mu": [0, 1, -2], "ls": [0.5, -0.25, 1], "l": [0.3, -1, 2]])
        try assertFixed(mixture, ["x": [0.5], "mu": [0, 1, -2], "ls": [0.5, -0.25, 1], "l": [800, 750, -800]])
    }

    /// log sum(b exp(a)) with weights of either sign (SciPy's logsumexp with
    /// b): exp(800) - 0.5 exp(799) is inf - inf as written; the shift by
    /// max a needs no sign of b. The same for two weighted terms.
    func testSignedLogSumExp() throws {
        let signed = """
            (input a [n])
            (input b [n])
            (output z (log (sum (* b (exp a)))))
            """
        try assertFixed(signed, ["a": [800, 799, 0, 3], "b": [1, -0.5, 2, -1]])
        try assertFixed(signed, ["a": [-800, -801, -1000, -900], "b": [2, -1, 5, -3]])
        // two terms, elementwise: log(p exp(a) - q exp(b))
        try assertFixed(
            """
            (input a [n])
            (input b [n])
            (input p [n])
            (input q [n])
            (output z (log (- (* p (exp a)) (* q (exp b)))))
            """, ["a": [802, -798, 3, 1000], "b": [800, -800, 1, 990], "p": [1, 0.5, 2, 1], "q": [2, 1, 0.5, 3]])
    }

    /// log(1 - softmax(x)) of an unlikelihood loss: at x = [0, -40, ...]
    /// 1 - p rounds to 0 for the largest logit, and the log is -inf as
    /// written; the leave-one-out share through the second largest logit
    /// gives -40. Ties at the maximum take the other branch, log(S - 1).
    func testLogOneMinusSoftmaxWhereOneClassDominates() throws {
        let complement = """
            (input x [n])
            (output l (log (- 1 (/ (exp x) (sum (exp x) -1)))))
            """
        try assertFixed(complement, ["x": [0, -40, -45, -60]])
        try assertFixed(complement, ["x": [100, 0, -100, 2, 3]])
        try assertFixed(complement, ["x": [800, 800, -800, 0]])
    }

    /// The gradient of an unlikelihood loss: the chain rule's two terms at
    /// the dominant class, w p / (1 - p) and w p^2 / (1 - p), cancel past a
    /// gap of 37, and past 709 p / (1 - p) overflows and every other entry
    /// is inf * 0 (ties, where nothing cancels, are checked with the
    /// gradient's construction in `ComplementedSoftmaxesTests`).
    func testUnlikelihoodGradientWhereOneClassDominates() throws {
        let loss = """
            (input x [n])
            (input w [n])
            (output g (grad (neg (sum (* w (log (- 1 (/ (exp x) (sum (exp x) -1))))))) x))
            """
        // The truth in closed form: 1 - p is exp(-800) at the maximum, 0 at
        // the reference's 256 bits, which the leave-one-out sums avoid.
        let truth =
            "(input x [n])\n(input w [n])\n" + SoftmaxComplementOracle.lets(logits: "x", weights: "w", axis: -1)
            + "(output g (neg ocg))\n"
        let w = [0.3, -0.5, 1.2, 0.9, -2.0]
        try assertFixed(loss, truth: truth, ["x": [0, -40, -45, -38, -60], "w": w])
        try assertFixed(loss, truth: truth, ["x": [1000, 0, -3, 200, 150], "w": w])
    }
}
