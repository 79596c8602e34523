@testable import CasebridgeReport
import Foundation
import Testing

/// Pseudonyms are 64 bits, and two ids of one report never share one.
struct PseudonymTests {
    static let secret = Data((0..<32).map { UInt8($0) })

    @Test func `a pseudonym shows 64 bits as four groups of four hex digits`() {
        let name = Pseudonyms(secret: Self.secret).child("C-000124")
        #expect(name.range(of: #"^Child [0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$"#, options: .regularExpression) != nil, "\(name)")
        #expect(name == IndependentFigures.pseudonym("child", "C-000124", secret: Self.secret))
        // 64 bits keep two of a million children apart but for a chance below one in a million.
        let n = 1_000_000.0
        #expect(n * n / pow(2, Double(Pseudonyms.codeBits + 1)) < 1e-6)
    }

    @Test func `ids whose codes collide get distinct pseudonyms, the same every time`() {
        // Keeping 8 bits, 60 ids must share codes (there are 256), as 64-bit codes would only by chance.
        let narrow = Pseudonyms(secret: Self.secret, keepingBits: 8)
        let ids = (1...60).map { String(format: "C-%06d", $0) }
        let plain = ids.map(narrow.child)
        let collided = Dictionary(grouping: ids, by: narrow.child).values.filter { $0.count > 1 }
        #expect(!collided.isEmpty, "the hook forces collisions")
        #expect(Set(plain).count < ids.count)

        let resolved = narrow.resolving(children: ids, families: [])
        let names = ids.map(resolved.child)
        #expect(Set(names).count == ids.count, "every id its own pseudonym")
        // The first id of each colliding group, in id order, keeps its code; the others moved.
        for group in collided {
            let sorted = group.sorted()
            #expect(resolved.child(sorted[0]) == narrow.child(sorted[0]))
            for later in sorted.dropFirst() { #expect(resolved.child(later) != narrow.child(later)) }
        }
        // Deterministic: the same ids in any order, given twice, give the same names.
        let again = narrow.resolving(children: ids.reversed() + ids.shuffled(), families: [])
        #expect(ids.map(again.child) == names)
        // An id with no collision keeps its plain pseudonym.
        let alone = ids.filter { id in !collided.contains { $0.contains(id) } }
        #expect(!alone.isEmpty && alone.allSatisfy { resolved.child($0) == narrow.child($0) })
        // Families are resolved apart from children.
        let families = narrow.resolving(children: [], families: ids)
        #expect(Set(ids.map(families.family)).count == ids.count)
    }
}
