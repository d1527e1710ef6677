import EGraph
import Foundation
import XCTest

@testable import TensorOps

/// Every entry of the table of functions of two operands is whole and agrees
/// with itself: the evaluators with the reference, the analysis's interval,
/// signs and exact values with the values, the adjoint with a finite
/// difference in 256-bit arithmetic.
final class BinaryFunctionTests: XCTestCase {
    /// Operands across the regimes that matter to these functions: signs,
    /// zero, one, ties, fractions, infinities.
    static let samples: [Double] = [-.infinity, -30, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 30, .infinity]

    func testEveryEntryIsAnOperatorOfTheLanguageAndTheEGraph() {
        XCTAssertEqual(Set(BinaryFunction.table.map(\.name)).count, BinaryFunction.table.count, "one entry per name")
        for function in BinaryFunction.table {
            XCTAssertEqual(TensorOperator(name: function.name), function.op, "the parser reads the entry's spelling")
            XCTAssertEqual(function.symbol.name, function.name)
            XCTAssertEqual(function.op.arity, 2)
            XCTAssertEqual(function.op.isComparison, function.isComparison)
            XCTAssertTrue(BinaryFunction.of(function.symbol) === function)
            XCTAssertEqual(TensorVocabulary.direct[function.op], function.symbol)
        }
    }

    func testTheFloatEvaluatorsAgreeWithTheReference() {
        for function in BinaryFunction.table {
            for a in Self.samples {
                for b in Self.samples {
                    let truth = function.reference(ReferenceFloat(a), ReferenceFloat(b))
                    let double = function.binary64(a, b)
                    let single = Double(function.binary32(Float(a), Float(b)))
                    let label = "\(function)(\(a), \(b))"
                    if truth.isNaN {
                        XCTAssertTrue(double.isNaN, "\(label) = \(double), the reference is nan")
                        XCTAssertTrue(single.isNaN, "\(label) in float32 = \(single), the reference is nan")
                        continue
                    }
                    // pow rounds; the rest are exact on these operands.
                    let tolerance = function == .power ? 1e-15 * Swift.abs(truth.doubleValue) : 0
                    XCTAssertEqual(double, truth.doubleValue, accuracy: tolerance, label)
                    XCTAssertEqual(
                        single, Double(Float(truth.doubleValue)), accuracy: 1e-6 * Swift.abs(truth.doubleValue),
                        "\(label) in float32")
                }
            }
        }
    }

    func testIntervalsSignsAndExactValuesHoldAtTheSamples() {
        let finite = Self.samples.filter(\.isFinite)
        let intervals = zip(finite, finite.dropFirst()).map { ValueInterval($0, $1) }
        for function in BinaryFunction.table {
            for first in intervals {
                for second in intervals {
                    let interval = function.interval(first, second)
                    for a in [first.lower, (first.lower + first.upper) / 2, first.upper] {
                        for b in [second.lower, (second.lower + second.upper) / 2, second.upper] {
                            let value = function.reference(ReferenceFloat(a), ReferenceFloat(b)).doubleValue
                            guard !value.isNaN else { continue }
                            XCTAssertTrue(
                                interval.lower <= value && value <= interval.upper,
                                "\(function)(\(a), \(b)) = \(value) outside \(interval)")
                        }
                    }
                }
            }
            for a in finite {
                for b in finite {
                    let value = function.reference(ReferenceFloat(a), ReferenceFloat(b)).doubleValue
                    guard !value.isNaN else { continue }
                    let signs = function.signs(SignFacts.of(a), SignFacts.of(b))
                    XCTAssertTrue(
                        SignFacts.of(value).isSuperset(of: signs), "\(function)(\(a), \(b)) = \(value): \(signs)")
                    if let folded = function.exactValue(a, b) {
                        XCTAssertEqual(folded, value, "\(function)(\(a), \(b)) folds to \(folded)")
                    }
                }
            }
        }
    }

    func testAdjointsAgreeWithAFiniteDifference() throws {
        // Points away from ties (maximum, minimum) and from a base of 0.
        let points: [(Double, Double)] = [(0.7, 2.5), (3.0, -0.3), (1.5, 1.25)]
        for function in BinaryFunction.table where !function.isComparison {
            for position in 0..<2 {
                let program = try TensorProgram(
                    parsing:
                        "(input a [])\n(input b [])\n(output g (grad (\(function.name) a b) \(position == 0 ? "a" : "b")))"
                )
                for (a, b) in points {
                    let outputs = try program.evaluate([
                        "a": NDArray(scalar: ReferenceFloat(a)), "b": NDArray(scalar: ReferenceFloat(b)),
                    ])
                    let slope = try XCTUnwrap(outputs[0].value.scalarValue).doubleValue
                    let step = ReferenceFloat(1e-30)
                    let (x, y) = (ReferenceFloat(a), ReferenceFloat(b))
                    let ahead = position == 0 ? function.reference(x + step, y) : function.reference(x, y + step)
                    let behind = position == 0 ? function.reference(x - step, y) : function.reference(x, y - step)
                    let difference = ((ahead - behind) / (step + step)).doubleValue
                    XCTAssertEqual(
                        slope, difference, accuracy: 1e-12 * Swift.max(1, Swift.abs(difference)),
                        "d\(function)/d\(position == 0 ? "a" : "b") at (\(a), \(b))")
                }
            }
        }
    }
}
