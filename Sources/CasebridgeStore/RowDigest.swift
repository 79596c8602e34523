import CSQLite
import CasebridgeModel
import Crypto

/// The SQL function `casebridge_row_sha256(value, …)`: the SHA-256, as 64 lowercase hex digits, of the
/// text `json_array(value, …)` gives for the same values, written here straight into the hash's input
/// instead of as an SQL value that `casebridge_sha256` then reads (what every incoming row's `_hash`
/// is: ``Database/addSHA256Function()``).
///
/// It writes what `json_array` writes for NULL (`null`), an integer (its digits) and text (quoted,
/// with `"` and `\` escaped by a backslash, `\b \t \n \f \r` by their letters and every other byte
/// below 0x20 as `\u00XX`; other bytes as they are). For a value `json_array` writes its own way, a
/// REAL (SQLite's own formatting of a double), a BLOB (which it refuses) or text another JSON function
/// made (copied as it is), it gives NULL: the caller then hashes `json_array`'s own text
/// (`coalesce(casebridge_row_sha256(…), casebridge_sha256(json_array(…)))`), so the digits are the
/// same either way. It gives NULL too for a row whose text could take more than ``largestText`` bytes
/// written out, whose room it would otherwise set aside for the call. `RowHashTests` holds it to
/// `json_array`'s text value by value.
enum RowDigest {
    /// The subtype SQLite's JSON functions give the text they make.
    private static let jsonSubtype: UInt32 = 74

    /// The most room set aside for one row's text (its values at their longest); a row that could take
    /// more is left to `json_array`.
    static let largestText = 1 << 20

    /// The function's body, for `sqlite3_create_function_v2`.
    static let function: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, count, values in
        let values = UnsafeBufferPointer(start: values, count: values == nil ? 0 : Int(count))
        // The most the JSON text can take: brackets, commas, and each value at its longest (text every
        // byte of which is escaped as \u00XX).
        var capacity = 2 + max(0, values.count - 1)
        for value in values {
            switch sqlite3_value_type(value) {
            case SQLITE_NULL: capacity += 4
            case SQLITE_INTEGER: capacity += 20
            case SQLITE_TEXT:
                guard sqlite3_value_subtype(value) != jsonSubtype else { return sqlite3_result_null(context) }
                capacity += 2 + 6 * Int(sqlite3_value_bytes(value))
            default: return sqlite3_result_null(context)
            }
        }
        guard capacity <= largestText else { return sqlite3_result_null(context) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            let out = buffer.baseAddress!
            var length = 0
            out[length] = UInt8(ascii: "[")
            length += 1
            for (index, value) in values.enumerated() {
                if index > 0 {
                    out[length] = UInt8(ascii: ",")
                    length += 1
                }
                switch sqlite3_value_type(value) {
                case SQLITE_INTEGER: length += writeInteger(sqlite3_value_int64(value), to: out + length)
                case SQLITE_TEXT:
                    let text = sqlite3_value_text(value)
                    let bytes = Int(sqlite3_value_bytes(value))
                    length += writeString(UnsafeBufferPointer(start: text, count: text == nil ? 0 : bytes), to: out + length)
                default:
                    for byte in "null".utf8 {
                        out[length] = byte
                        length += 1
                    }
                }
            }
            out[length] = UInt8(ascii: "]")
            length += 1
            let digest = SHA256.hash(data: UnsafeRawBufferPointer(start: out, count: length))
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { hex in
                digest.writeHex(to: hex.baseAddress!)
                hex.withMemoryRebound(to: CChar.self) { sqlite3_result_text(context, $0.baseAddress, 64, casebridge_sqlite_transient()) }
            }
        }
    }

    /// Writes `value`'s decimal digits (with a `-` when negative) to `out`; returns how many bytes.
    private static func writeInteger(_ value: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { reversed in
            var count = 0
            repeat {
                reversed[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            var length = 0
            if value < 0 {
                out[0] = UInt8(ascii: "-")
                length = 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) {
                out[length] = reversed[index]
                length += 1
            }
            return length
        }
    }

    /// Writes `text` as a JSON string, escaped as `json_array` escapes it, to `out`; returns how many bytes.
    private static func writeString(_ text: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var length = 0
        out[length] = UInt8(ascii: "\"")
        length += 1
        for byte in text {
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                out[length] = byte
                length += 1
                continue
            }
            out[length] = UInt8(ascii: "\\")
            length += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out[length] = byte
            case 0x08: out[length] = UInt8(ascii: "b")
            case 0x09: out[length] = UInt8(ascii: "t")
            case 0x0A: out[length] = UInt8(ascii: "n")
            case 0x0C: out[length] = UInt8(ascii: "f")
            case 0x0D: out[length] = UInt8(ascii: "r")
            default:
                out[length] = UInt8(ascii: "u")
                out[length + 1] = UInt8(ascii: "0")
                out[length + 2] = UInt8(ascii: "0")
                out[length + 3] = UInt8(ascii: "0") + (byte >> 4)
                out[length + 4] = hexDigits.utf8Start[Int(byte & 0x0F)]
                length += 4
            }
            length += 1
        }
        out[length] = UInt8(ascii: "\"")
        return length + 1
    }

    private static let hexDigits: StaticString = "0123456789abcdef"
}
