import EGraph
import Foundation
import XCTest

@testable import TensorOps

/// Every entry of the operator table is whole and agrees with itself: the
/// evaluators with the reference, the analysis's interval, signs and exact
/// values with the values, the adjoint with a finite difference in 256-bit
/// arithmetic. A function added without an entry, or with a part that
/// disagrees, fails here.
final class UnaryFunctionTests: XCTestCase {
    /// Operands across every regime: huge, tiny, around the poles, infinities.
    static let samples: [Double] = [
        -800, -30, -1.5, -1, -0.5, -1e-300, 0, 1e-300, 0.5, 1, 1.5, 30, 800, .infinity, -.infinity,
    ]

    func testEveryFunctionOfOneOperandHasAnEntry() throws {
        // The language reference lists the elementwise functions in one row;
        // all but `neg` (lowered to a product) must be in the table.
        let page = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/language.md"), encoding: .utf8)
        let row = try XCTUnwrap(page.split(separator: "\n").first { $0.contains("`(exp a)`") })
        let documented = Set(
            row.split(separator: "`").compactMap { part -> String? in
                guard part.hasPrefix("("), part.hasSuffix(" a)") else { return nil }
                return String(part.dropFirst().dropLast(3))
            })
        XCTAssertEqual(documented, Set(["neg"] + UnaryFunction.table.map(\.name)))
        XCTAssertEqual(Set(UnaryFunction.table.map(\.name)).count, UnaryFunction.table.count, "one entry per name")
        for function in UnaryFunction.table {
            XCTAssertEqual(TensorOperator(name: function.name), function.op, "the parser reads the entry's spelling")
            XCTAssertEqual(function.symbol.name, function.name)
            XCTAssertEqual(function.op.arity, 1)
            XCTAssertEqual(UnaryFunction.of(function.symbol)?.op, function.op)
            XCTAssertEqual(TensorVocabulary.direct[function.op], function.symbol)
        }
    }

    func testTheFloatEvaluatorsAgreeWithTheReference() {
        for function in UnaryFunction.table {
            for x in Self.samples {
                let truth = function.reference(ReferenceFloat(x))
                let double = function.binary64(x)
                if truth.isNaN {
                    // Outside the domain (log of a negative): numpy says nan too.
                    XCTAssertTrue(double.isNaN, "\(function.op)(\(x)) = \(double), the reference is nan")
                    continue
                }
                XCTAssertLessThanOrEqual(
                    ulps(double, truth.doubleValue), 4, "\(function.op)(\(x)) = \(double), truth \(truth.doubleValue)")
                let single = function.binary32(Float(x))
                let singleTruth = Float(function.reference(ReferenceFloat(Double(Float(x)))).doubleValue)
                if !singleTruth.isNaN {
                    XCTAssertLessThanOrEqual(
                        ulps(Double(single), Double(singleTruth), unit: Double(Float.ulpOfOne)), 4,
                        "\(function.op)(\(Float(x))) in float32 = \(single), truth \(singleTruth)")
                }
            }
        }
    }

    func testIntervalsSignsAndExactValuesHoldAtTheSamples() {
        let finite = Self.samples.filter(\.isFinite)
        for function in UnaryFunction.table {
            for (low, high) in zip(finite, finite.dropFirst()) {
                let interval = function.interval(ValueInterval(low, high))
                for x in [low, (low + high) / 2, high] {
                    let value = function.reference(ReferenceFloat(x)).doubleValue
                    guard !value.isNaN else { continue }
                    // Bounds come from the C library's functions, within an
                    // ulp of the truth: the cost compares them with
                    // thresholds far from any bound that close.
                    XCTAssertTrue(
                        interval.lower.nextDown <= value && value <= interval.upper.nextUp,
                        "\(function.op)(\(x)) = \(value) outside \(interval) for [\(low), \(high)]")
                }
            }
            for x in finite {
                let exact = function.reference(ReferenceFloat(x))
                let value = exact.doubleValue
                guard !value.isNaN else { continue }
                // Facts hold over the reals: exp(-800) is positive though it
                // rounds to 0.
                let signs = function.signs(SignFacts.of(x))
                XCTAssertTrue(SignFacts.of(exact).isSuperset(of: signs), "\(function.op)(\(x)) = \(value): \(signs)")
                if let folded = function.exactValue(x) {
                    XCTAssertEqual(folded, value, "\(function.op)(\(x)) folds to \(folded)")
                }
                if function.risk == .none {
                    XCTAssertTrue(function.binary64(x).isFinite, "\(function.op)(\(x)) says it cannot fail")
                }
            }
        }
    }

    func testAdjointsAgreeWithAFiniteDifference() throws {
        for function in UnaryFunction.table {
            let program = try TensorProgram(
                parsing: "(input x [])\n(output g (grad (\(function.name) x) x))")
            for x in [-2.5, -0.3, 0.7, 3.0] {
                let truth = function.reference(ReferenceFloat(x))
                guard !truth.isNaN, function != .abs || x != 0 else { continue }
                let outputs: [(name: String, value: NDArray<ReferenceFloat>)] = try program.evaluate([
                    "x": NDArray(scalar: ReferenceFloat(x))
                ])
                let slope = try XCTUnwrap(outputs[0].value.scalarValue).doubleValue
                let step = ReferenceFloat(1e-30)
                let ahead = function.reference(ReferenceFloat(x) + step)
                let behind = function.reference(ReferenceFloat(x) - step)
                let difference = ((ahead - behind) / (step + step)).doubleValue
                XCTAssertEqual(
                    slope, difference, accuracy: 1e-12 * Swift.max(1, Swift.abs(difference)), "\(function.op)'(\(x))")
            }
        }
    }

    /// How many units in the last place of `truth` (in a format whose
    /// machine epsilon is `unit`) separate the two; equal infinities are 0.
    private func ulps(_ value: Double, _ truth: Double, unit: Double = Double.ulpOfOne) -> Double {
        if value == truth { return 0 }
        if !value.isFinite || !truth.isFinite { return .infinity }
        let scale = Swift.max(Swift.abs(truth), unit == Double.ulpOfOne ? Double.leastNormalMagnitude : 1.2e-38)
        return Swift.abs(value - truth) / (scale * unit)
    }
}
