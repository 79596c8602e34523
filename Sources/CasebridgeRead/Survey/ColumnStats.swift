import CasebridgeModel

/// What a survey learns about the values of one attribute, or of one element's text, at one path:
/// how many, their shapes, and (while there are few of them) how often each distinct value occurs.
///
/// Memory stays flat: at most ``distinctLimit`` distinct values are counted, each at most 40 bytes long;
/// a column past either limit stops counting values for good and keeps only counts and shapes.
public struct ColumnStats: Sendable {
    /// Distinct values counted per column before it is taken for free text or identifiers.
    public static let distinctLimit = 50
    /// Values longer than this are never counted as distinct values.
    public static let longestCounted = 40
    /// Distinct shapes kept per column; others are counted as `otherShapes`.
    static let shapeLimit = 12

    /// Non-blank values.
    public private(set) var count = 0
    /// Blank values (present, whitespace only).
    public private(set) var blank = 0
    /// How many values had each shape (its ``ValueShape/key``), in the order first seen.
    public private(set) var shapes: [(shape: ValueShape, count: Int)] = []
    /// Values whose shape did not fit in `shapes`.
    public private(set) var otherShapes = 0
    /// Counts per distinct value while there are at most ``distinctLimit``; `nil` once there were more,
    /// or a value was too long, or the survey's budget of counted values ran out.
    public private(set) var distinct: [String: Int]? = [:]
    /// The longest value, in characters.
    public private(set) var longest = 0

    /// A column with no value yet.
    public init() {}

    /// Notes one value: its shape and, when short, the value itself for the distinct count.
    /// `budget` is the survey's remaining allowance of counted values, shared by all columns.
    mutating func add(shape: ValueShape, value: String?, budget: inout Int) {
        guard shape.kind != .blank else {
            blank += 1
            return
        }
        count += 1
        longest = max(longest, shape.characters)
        note(shape.key)
        guard distinct != nil else { return }
        guard let value, value.utf8.count <= Self.longestCounted else {
            distinct = nil
            return
        }
        if let seen = distinct![value] {
            distinct![value] = seen + 1
        } else if distinct!.count < Self.distinctLimit, budget > 0 {
            distinct![value] = 1
            budget -= 1
        } else {
            budget += distinct!.count
            distinct = nil
        }
    }

    private mutating func note(_ key: ValueShape) {
        for index in shapes.indices where shapes[index].shape == key {
            shapes[index].count += 1
            return
        }
        if shapes.count < Self.shapeLimit { shapes.append((key, 1)) } else { otherShapes += 1 }
    }

    /// The most common shape, if any.
    public var mainShape: ValueShape? { shapes.max { $0.count < $1.count }?.shape }

    /// The shapes, most common first.
    public var shapesByCount: [(shape: ValueShape, count: Int)] {
        shapes.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }.map(\.element)
    }

    /// The number of distinct values, or `nil` when there were more than ``distinctLimit`` (or they were
    /// not counted).
    public var distinctCount: Int? { distinct?.count }
}
