import CasebridgeModel

/// SplitMix64: expands one 64-bit seed into a stream of well-mixed words; used to seed
/// ``Xoshiro256StarStar`` and to derive one independent seed per household and per stream.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One mixed word from several inputs, for deriving a seed from (seed, household, stream).
    static func mix(_ words: UInt64...) -> UInt64 {
        var generator = SplitMix64(seed: 0x6A09_E667_F3BC_C908)
        var out: UInt64 = 0
        for word in words {
            generator.state ^= word
            out = generator.next()
        }
        return out
    }
}

/// xoshiro256** (Blackman and Vigna): the generator's only source of randomness.
///
/// Every draw goes through the helpers below, never through the standard library's
/// `random(in:using:)`, whose algorithm may change between toolchains: the same options must give
/// the same bytes wherever the generator runs.
struct Xoshiro256StarStar {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, unbiased).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// A uniform integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A uniform double in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// `true` with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// One element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// With probability `p`, one of the `preferred` items that are in `items` (when there are any);
    /// otherwise one of `items`. For defects that are rare by nature, so that a small export still has some.
    mutating func pick<T: Equatable>(_ items: [T], preferring preferred: [T], _ p: Double) -> T {
        let fitting = preferred.filter { items.contains($0) }
        if !fitting.isEmpty, chance(p) { return pick(fitting) }
        return pick(items)
    }

    /// An index chosen with the given weights (all ≥ 0, not all 0).
    mutating func weighted(_ weights: [Int]) -> Int {
        var roll = below(weights.reduce(0, +))
        for (i, w) in weights.enumerated() {
            if roll < w { return i }
            roll -= w
        }
        return weights.count - 1
    }

    /// A uniform date in `range`.
    mutating func date(_ range: ClosedRange<CivilDate>) -> CivilDate {
        CivilDate(daysSinceEpoch: int(range.lowerBound.daysSinceEpoch...range.upperBound.daysSinceEpoch))
    }

    /// 64 lowercase hex digits, for a wrong but well-formed digest.
    mutating func hex64() -> String {
        var out = ""
        out.reserveCapacity(64)
        for _ in 0..<4 {
            let word = next()
            for shift in stride(from: 60, through: 0, by: -4) {
                out.append(hexDigits[Int((word >> UInt64(shift)) & 0xF)])
            }
        }
        return out
    }
}

private let hexDigits: [Character] = Array("0123456789abcdef")

/// The independent random streams of one household: each section of the export draws from its own,
/// so a pass that needs only people never has to replay the documents' draws, and the defects draw
/// from streams of their own, so the clean base does not depend on the defect rate.
enum RandomStream: UInt64 {
    case anchor = 1
    case core
    case coreDefects
    case documents
    case documentDefects
    case plans
    case planDefects
    case visits
    case visitDefects
    case organisation
    case content
    /// The changes of one night of a series (the night's number stands in for the household).
    case series
}

extension Xoshiro256StarStar {
    /// The generator for `stream` of household `unit` under `seed`.
    init(seed: UInt64, unit: Int, stream: RandomStream) {
        self.init(seed: SplitMix64.mix(seed, UInt64(truncatingIfNeeded: unit), stream.rawValue))
    }
}
