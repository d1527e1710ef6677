// Fixed-width unsigned integers for the significand of `ReferenceFloat`.
//
// They are value types with no heap storage, so the arithmetic of the reference evaluator allocates nothing in its
// inner loops; they are nested in `ReferenceFloat` so their names cannot collide with anything else in the module.

extension ReferenceFloat {
    /// A 256-bit unsigned integer in four 64-bit limbs, least significant first.
    struct UInt256: Equatable, Comparable, Sendable {
        var w0: UInt64
        var w1: UInt64
        var w2: UInt64
        var w3: UInt64

        static let zero = UInt256(w0: 0, w1: 0, w2: 0, w3: 0)
        static let one = UInt256(w0: 1, w1: 0, w2: 0, w3: 0)
        static let max = UInt256(w0: .max, w1: .max, w2: .max, w3: .max)

        /// The limb of weight 2^(64·index); indices outside 0..<4 read as zero and ignore writes.
        subscript(index: Int) -> UInt64 {
            get {
                switch index {
                case 0: return w0
                case 1: return w1
                case 2: return w2
                case 3: return w3
                default: return 0
                }
            }
            set {
                switch index {
                case 0: w0 = newValue
                case 1: w1 = newValue
                case 2: w2 = newValue
                case 3: w3 = newValue
                default: break
                }
            }
        }

        var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

        var leadingZeroBitCount: Int {
            if w3 != 0 { return w3.leadingZeroBitCount }
            if w2 != 0 { return 64 + w2.leadingZeroBitCount }
            if w1 != 0 { return 128 + w1.leadingZeroBitCount }
            return 192 + w0.leadingZeroBitCount
        }

        /// Whether bit `index` (0 = least significant) is set; false outside 0..<256.
        @inline(__always)
        func bit(_ index: Int) -> Bool {
            guard index >= 0 && index < 256 else { return false }
            return (self[index >> 6] >> UInt64(index & 63)) & 1 == 1
        }

        mutating func setBit(_ index: Int) {
            guard index >= 0 && index < 256 else { return }
            self[index >> 6] |= 1 << UInt64(index & 63)
        }

        /// Whether the `count` least significant bits are all zero (the sticky test of rounding).
        @inline(__always)
        func lowBitsAreZero(count: Int) -> Bool {
            if count <= 0 { return true }
            if count >= 256 { return isZero }
            let mask = count & 63 == 0 ? 0 : (UInt64(1) << UInt64(count & 63)) &- 1
            switch count >> 6 {
            case 0: return w0 & mask == 0
            case 1: return w0 == 0 && w1 & mask == 0
            case 2: return (w0 | w1) == 0 && w2 & mask == 0
            default: return (w0 | w1 | w2) == 0 && w3 & mask == 0
            }
        }

        /// `self · 2^count`, truncated to 256 bits; negative counts shift right.
        @inline(__always)
        func shiftedLeft(by count: Int) -> UInt256 {
            if count <= 0 { return count == 0 ? self : shiftedRight(by: -count) }
            if count >= 256 { return .zero }
            var (a0, a1, a2, a3) = (w0, w1, w2, w3)
            var remaining = count
            while remaining >= 64 {
                (a3, a2, a1, a0) = (a2, a1, a0, 0)
                remaining -= 64
            }
            if remaining == 0 { return UInt256(w0: a0, w1: a1, w2: a2, w3: a3) }
            let up = UInt64(remaining)
            let down = 64 - up
            return UInt256(
                w0: a0 << up, w1: a1 << up | a0 >> down, w2: a2 << up | a1 >> down, w3: a3 << up | a2 >> down)
        }

        /// `⌊self / 2^count⌋`; negative counts shift left.
        @inline(__always)
        func shiftedRight(by count: Int) -> UInt256 {
            if count <= 0 { return count == 0 ? self : shiftedLeft(by: -count) }
            if count >= 256 { return .zero }
            var (a0, a1, a2, a3) = (w0, w1, w2, w3)
            var remaining = count
            while remaining >= 64 {
                (a0, a1, a2, a3) = (a1, a2, a3, 0)
                remaining -= 64
            }
            if remaining == 0 { return UInt256(w0: a0, w1: a1, w2: a2, w3: a3) }
            let down = UInt64(remaining)
            let up = 64 - down
            return UInt256(
                w0: a0 >> down | a1 << up, w1: a1 >> down | a2 << up, w2: a2 >> down | a3 << up, w3: a3 >> down)
        }

        @inline(__always)
        func addingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
            var carry: UInt64 = 0
            let r0 = Self.addWithCarry(w0, other.w0, &carry)
            let r1 = Self.addWithCarry(w1, other.w1, &carry)
            let r2 = Self.addWithCarry(w2, other.w2, &carry)
            let r3 = Self.addWithCarry(w3, other.w3, &carry)
            return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), carry != 0)
        }

        @inline(__always)
        func subtractingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
            var borrow: UInt64 = 0
            let r0 = Self.subtractWithBorrow(w0, other.w0, &borrow)
            let r1 = Self.subtractWithBorrow(w1, other.w1, &borrow)
            let r2 = Self.subtractWithBorrow(w2, other.w2, &borrow)
            let r3 = Self.subtractWithBorrow(w3, other.w3, &borrow)
            return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), borrow != 0)
        }

        /// `a + b + carry` modulo 2^64, leaving the carry out (0 or 1) in `carry`.
        @inline(__always)
        static func addWithCarry(_ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
            let (sum1, overflow1) = a.addingReportingOverflow(b)
            let (sum2, overflow2) = sum1.addingReportingOverflow(carry)
            carry = (overflow1 ? 1 : 0) | (overflow2 ? 1 : 0)
            return sum2
        }

        /// `a − b − borrow` modulo 2^64, leaving the borrow out (0 or 1) in `borrow`.
        @inline(__always)
        static func subtractWithBorrow(_ a: UInt64, _ b: UInt64, _ borrow: inout UInt64) -> UInt64 {
            let (difference1, overflow1) = a.subtractingReportingOverflow(b)
            let (difference2, overflow2) = difference1.subtractingReportingOverflow(borrow)
            borrow = (overflow1 ? 1 : 0) | (overflow2 ? 1 : 0)
            return difference2
        }

        /// `a · b + addend + carry` as a low limb, leaving the high limb in `carry`; it cannot overflow 128 bits.
        @inline(__always)
        static func multiplyAdd(_ a: UInt64, _ b: UInt64, _ addend: UInt64, _ carry: inout UInt64) -> UInt64 {
            let (high, low) = a.multipliedFullWidth(by: b)
            let (sum1, overflow1) = low.addingReportingOverflow(addend)
            let (sum2, overflow2) = sum1.addingReportingOverflow(carry)
            carry = high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0)
            return sum2
        }

        /// The full 512-bit product, by schoolbook multiplication of the limbs (unrolled: this is the hot loop of
        /// every series).
        @inline(__always)
        func multipliedFullWidth(by other: UInt256) -> UInt512 {
            let (b0, b1, b2, b3) = (other.w0, other.w1, other.w2, other.w3)
            var carry: UInt64 = 0
            let r0 = Self.multiplyAdd(w0, b0, 0, &carry)
            var r1 = Self.multiplyAdd(w0, b1, 0, &carry)
            var r2 = Self.multiplyAdd(w0, b2, 0, &carry)
            var r3 = Self.multiplyAdd(w0, b3, 0, &carry)
            var r4 = carry
            carry = 0
            r1 = Self.multiplyAdd(w1, b0, r1, &carry)
            r2 = Self.multiplyAdd(w1, b1, r2, &carry)
            r3 = Self.multiplyAdd(w1, b2, r3, &carry)
            r4 = Self.multiplyAdd(w1, b3, r4, &carry)
            var r5 = carry
            carry = 0
            r2 = Self.multiplyAdd(w2, b0, r2, &carry)
            r3 = Self.multiplyAdd(w2, b1, r3, &carry)
            r4 = Self.multiplyAdd(w2, b2, r4, &carry)
            r5 = Self.multiplyAdd(w2, b3, r5, &carry)
            var r6 = carry
            carry = 0
            r3 = Self.multiplyAdd(w3, b0, r3, &carry)
            r4 = Self.multiplyAdd(w3, b1, r4, &carry)
            r5 = Self.multiplyAdd(w3, b2, r5, &carry)
            r6 = Self.multiplyAdd(w3, b3, r6, &carry)
            return UInt512(
                high: UInt256(w0: r4, w1: r5, w2: r6, w3: carry), low: UInt256(w0: r0, w1: r1, w2: r2, w3: r3))
        }

        /// `(⌊self / divisor⌋, self mod divisor)` for a nonzero 64-bit divisor.
        func quotientAndRemainder(dividingBy divisor: UInt64) -> (quotient: UInt256, remainder: UInt64) {
            var quotient = UInt256.zero
            var remainder: UInt64 = 0
            for index in stride(from: 3, through: 0, by: -1) {
                // remainder < divisor, so the two-limb quotient fits in one limb and dividingFullWidth cannot trap.
                let (q, r) = divisor.dividingFullWidth((high: remainder, low: self[index]))
                quotient[index] = q
                remainder = r
            }
            return (quotient, remainder)
        }

        static func < (lhs: UInt256, rhs: UInt256) -> Bool {
            if lhs.w3 != rhs.w3 { return lhs.w3 < rhs.w3 }
            if lhs.w2 != rhs.w2 { return lhs.w2 < rhs.w2 }
            if lhs.w1 != rhs.w1 { return lhs.w1 < rhs.w1 }
            return lhs.w0 < rhs.w0
        }
    }

    /// A 512-bit unsigned integer as two 256-bit halves: the exact intermediate results that get rounded.
    struct UInt512: Equatable, Comparable, Sendable {
        var high: UInt256
        var low: UInt256

        static let zero = UInt512(high: .zero, low: .zero)

        /// The limb of weight 2^(64·index), index in 0..<8.
        subscript(index: Int) -> UInt64 {
            get { index < 4 ? low[index] : high[index - 4] }
            set {
                if index < 4 {
                    low[index] = newValue
                } else {
                    high[index - 4] = newValue
                }
            }
        }

        var isZero: Bool { high.isZero && low.isZero }

        var leadingZeroBitCount: Int {
            high.isZero ? 256 + low.leadingZeroBitCount : high.leadingZeroBitCount
        }

        /// `self · 2^count` truncated to 512 bits, for 0 ≤ count.
        @inline(__always)
        func shiftedLeft(by count: Int) -> UInt512 {
            if count <= 0 { return self }
            if count >= 512 { return .zero }
            if count >= 256 { return UInt512(high: low.shiftedLeft(by: count - 256), low: .zero) }
            if count < 64 {
                // The usual case (normalizing a product or a sum), limb by limb.
                let up = UInt64(count)
                let down = 64 - up
                return UInt512(
                    high: UInt256(
                        w0: high.w0 << up | low.w3 >> down, w1: high.w1 << up | high.w0 >> down,
                        w2: high.w2 << up | high.w1 >> down, w3: high.w3 << up | high.w2 >> down),
                    low: UInt256(
                        w0: low.w0 << up, w1: low.w1 << up | low.w0 >> down,
                        w2: low.w2 << up | low.w1 >> down, w3: low.w3 << up | low.w2 >> down))
            }
            let carried = low.shiftedRight(by: 256 - count)
            let shifted = high.shiftedLeft(by: count)
            let high = UInt256(
                w0: shifted.w0 | carried.w0, w1: shifted.w1 | carried.w1, w2: shifted.w2 | carried.w2,
                w3: shifted.w3 | carried.w3)
            return UInt512(high: high, low: low.shiftedLeft(by: count))
        }

        @inline(__always)
        func addingReportingOverflow(_ other: UInt512) -> (partialValue: UInt512, overflow: Bool) {
            var carry: UInt64 = 0
            let l0 = UInt256.addWithCarry(low.w0, other.low.w0, &carry)
            let l1 = UInt256.addWithCarry(low.w1, other.low.w1, &carry)
            let l2 = UInt256.addWithCarry(low.w2, other.low.w2, &carry)
            let l3 = UInt256.addWithCarry(low.w3, other.low.w3, &carry)
            let h0 = UInt256.addWithCarry(high.w0, other.high.w0, &carry)
            let h1 = UInt256.addWithCarry(high.w1, other.high.w1, &carry)
            let h2 = UInt256.addWithCarry(high.w2, other.high.w2, &carry)
            let h3 = UInt256.addWithCarry(high.w3, other.high.w3, &carry)
            let sum = UInt512(
                high: UInt256(w0: h0, w1: h1, w2: h2, w3: h3), low: UInt256(w0: l0, w1: l1, w2: l2, w3: l3))
            return (sum, carry != 0)
        }

        @inline(__always)
        func subtractingReportingOverflow(_ other: UInt512) -> (partialValue: UInt512, overflow: Bool) {
            var borrow: UInt64 = 0
            let l0 = UInt256.subtractWithBorrow(low.w0, other.low.w0, &borrow)
            let l1 = UInt256.subtractWithBorrow(low.w1, other.low.w1, &borrow)
            let l2 = UInt256.subtractWithBorrow(low.w2, other.low.w2, &borrow)
            let l3 = UInt256.subtractWithBorrow(low.w3, other.low.w3, &borrow)
            let h0 = UInt256.subtractWithBorrow(high.w0, other.high.w0, &borrow)
            let h1 = UInt256.subtractWithBorrow(high.w1, other.high.w1, &borrow)
            let h2 = UInt256.subtractWithBorrow(high.w2, other.high.w2, &borrow)
            let h3 = UInt256.subtractWithBorrow(high.w3, other.high.w3, &borrow)
            let difference = UInt512(
                high: UInt256(w0: h0, w1: h1, w2: h2, w3: h3), low: UInt256(w0: l0, w1: l1, w2: l2, w3: l3))
            return (difference, borrow != 0)
        }

        static func < (lhs: UInt512, rhs: UInt512) -> Bool {
            lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
        }
    }
}
