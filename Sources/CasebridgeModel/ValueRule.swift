/// Everything a mapping says about how one field's raw value becomes its canonical value: an optional
/// recoding (`map`), the type (with a date `pattern`, a clock `zone`, an integer `min`/`max`) and the
/// code list.
///
/// Reading runs in that order: the trimmed raw value is recoded, the result is read by its type, and
/// the typed value must be one of the codes. A failure says why in words that never quote a value
/// unless it is a code or a recoded value (``Reading/invalid(reason:quotesRaw:)``).
///
/// ```swift
/// var rule = ValueRule(format: .boolean)
/// rule.recoding = try Recoding([.init("Y", "true"), .init("N", "false")])
/// rule.read("Y")   // .valid("true")
/// rule.read("yes") // .invalid(reason: "is not one of the values the mapping recodes (Y, N)", quotesRaw: true)
/// ```
public struct ValueRule: Hashable, Sendable {
    /// What reading one raw value gave.
    public enum Reading: Hashable, Sendable {
        /// The canonical value.
        case valid(String)
        /// Why the value fails; `quotesRaw` when a finding may quote the raw value (a code or a
        /// recoded value), else the reason describes the value by its shape only.
        case invalid(reason: String, quotesRaw: Bool)
    }

    public var format: ValueFormat
    /// For `date` and `timestamp`: the layout of the value.
    public var pattern: DatePattern?
    /// For `timestamp`: where a time that carries no offset was written.
    public var zone: ClockZone?
    /// For `integer`: the smallest and largest values allowed.
    public var minimum: Int?
    public var maximum: Int?
    /// Source values translated before the value is typed and checked.
    public var recoding: Recoding?
    /// The allowed canonical values, case-sensitive; empty for any.
    public var codes: [String]

    /// A rule of `format` and `codes` alone; set the other settings as needed.
    public init(format: ValueFormat = .text, codes: [String] = []) {
        self.format = format
        self.codes = codes
    }

    /// Reads a trimmed, non-blank raw value.
    public func read(_ raw: String) -> Reading {
        var value = raw
        if let recoding {
            guard let target = recoding.recode(raw) else {
                return .invalid(reason: "is not one of the values the mapping recodes (\(recoding.sourcesListed()))", quotesRaw: true)
            }
            value = target
        }
        let normal: String
        switch typed(value) {
        case let .value(staged): normal = staged
        case .skippedHour:
            return .invalid(reason: "is a London time in the hour skipped when the clocks go forward, which never happened",
                            quotesRaw: false)
        case .failed:
            let shape = ValueShape.of(value)
            if (shape.kind == .date || shape.kind == .timestamp), !shape.isReal {
                return .invalid(reason: "is \(shape.phrase)", quotesRaw: false)
            }
            return .invalid(reason: "is \(shape.phrase), not \(expectation)", quotesRaw: false)
        }
        if !codes.isEmpty, !codes.contains(normal) {
            return .invalid(reason: "is not one of the codes \(codes.joined(separator: ", "))", quotesRaw: true)
        }
        if minimum != nil || maximum != nil, let reason = rangeFailure(normal) {
            return .invalid(reason: reason, quotesRaw: false)
        }
        return .valid(normal)
    }

    /// The staged form of `value` by type alone (no map, no codes, no range), or `nil` when it fails:
    /// what a mapping's map targets and conditions are checked with.
    public func typedValue(_ value: String) -> String? {
        if case let .value(staged) = typed(value) { return staged }
        return nil
    }

    private enum Typed {
        case value(String)
        case failed
        case skippedHour
    }

    private func typed(_ value: String) -> Typed {
        switch format {
        case .date:
            guard let fields = effectivePattern.match(value),
                  CivilDate.isValid(year: fields.year, month: fields.month, day: fields.day) else { return .failed }
            return .value(CivilDate(year: fields.year, month: fields.month, day: fields.day).iso)
        case .timestamp:
            guard let fields = effectivePattern.match(value) else { return .failed }
            switch WallClock.reading(fields, zone: zone) {
            case let .utc(staged): return .value(staged)
            case .notReal: return .failed
            case .skippedHour: return .skippedHour
            }
        default:
            return format.normalise(value).map(Typed.value) ?? .failed
        }
    }

    /// The pattern a `date` or `timestamp` is read with: the mapping's, or ISO 8601.
    public var effectivePattern: DatePattern {
        if let pattern { return pattern }
        if format == .date { return Self.isoDate }
        return zone == nil ? Self.isoTimestampWithOffset : Self.isoTimestamp
    }

    static let isoDate = try! DatePattern("yyyy-MM-dd")
    static let isoTimestampWithOffset = try! DatePattern("yyyy-MM-dd'T'HH:mm[:ss[.S]]XXX")
    static let isoTimestamp = try! DatePattern("yyyy-MM-dd'T'HH:mm[:ss[.S]]")

    private func rangeFailure(_ normal: String) -> String? {
        // A number too long for Int is above any maximum and not below any minimum.
        let number = normal.utf8.count > 18 ? Int.max : Int(normal) ?? Int.max
        if let minimum, number < minimum { return "is a whole number below the minimum \(minimum)" }
        if let maximum, number > maximum { return "is a whole number above the maximum \(maximum)" }
        return nil
    }

    /// A short phrase naming the expected form, for messages: "a date (dd-MMM-yyyy)", "a London time
    /// (dd/MM/yyyy HH:mm)".
    public var expectation: String {
        switch format {
        case .date: return "a date (\(effectivePattern))"
        case .timestamp:
            switch (pattern, zone) {
            case (nil, nil): return "a timestamp with a zone (yyyy-MM-ddTHH:mm[:ss] then Z or ±hh:mm)"
            case let (pattern?, nil): return "a timestamp (\(pattern))"
            case (_, .london?): return "a London time (\(effectivePattern))"
            case (_, .utc?): return "a UTC time (\(effectivePattern))"
            }
        default: return format.expectation
        }
    }

    /// A raw value as a finding may quote it: at most 40 characters, the last an ellipsis when cut.
    public static func quoted(_ raw: String) -> String {
        guard raw.unicodeScalars.count > 40 else { return raw }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: raw.unicodeScalars.prefix(39))
        return String(scalars) + "…"
    }
}
