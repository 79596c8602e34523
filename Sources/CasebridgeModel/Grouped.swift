extension Int {
    /// The number with its thousands grouped by commas, as reports print counts: `42,719`.
    public var grouped: String {
        let digits = String(magnitude)
        var text = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { text.append(",") }
            text.append(character)
        }
        return (self < 0 ? "-" : "") + String(text.reversed())
    }
}
