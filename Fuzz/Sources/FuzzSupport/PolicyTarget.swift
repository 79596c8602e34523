import CasebridgeCheck
import CasebridgeMapping
import CasebridgeModel

/// One input read as a policy file: `Policy.parse` either refuses it with a ``ConfigError`` or returns
/// a policy, whose working-day calendar must then count without trapping and agree with itself.
public enum PolicyTarget {
    static let dates = ["1990-01-01", "2019-08-23", "2019-08-27", "2019-12-25", "2060-12-31"].compactMap(CivilDate.init(iso:))

    public static func run(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        let policy: Policy
        do {
            policy = try Policy.parse(text, file: "fuzz.yaml")
        } catch is ConfigError {
            return
        } catch {
            fatalError("the policy was refused with \(type(of: error)), not a ConfigError: \(error)")
        }
        let calendar = policy.calendar
        let days = dates + calendar.bankHolidays.prefix(4)
        for a in days {
            for b in days {
                let count = calendar.workingDays(from: a, to: b)
                precondition(count >= 0, "a negative count of working days")
                precondition(b > a || count == 0, "working days counted backwards")
            }
        }
        for type in policy.documentTypes {
            precondition(policy.documentType(type.code) != nil && type.uploadWithinWorkingDays >= 0)
        }
        precondition(policy.visitWithinWorkingDays.values.allSatisfy { $0 >= 0 })
    }
}
