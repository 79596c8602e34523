import CasebridgeModel
import CasebridgeStore

/// `document-incomplete`: an upload that cannot be shown to hold what its manifest declares.
public struct DocumentIncompleteRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "document-incomplete", severity: .critical, keyFields: ["document"],
        wording: RuleWording(
            summary: "The document was uploaded, but its parts do not add up to its manifest: a part is missing, "
                + "unreadable, the wrong size or the wrong hash, or the manifest itself is missing or invalid.",
            gap: "An uploaded document's parts do not add up to it",
            action: { "Upload \($0.document) again in full to \($0.child)'s record: the parts held do not match the document." }),
        triggering: [
            RuleExample("fewer parts than the manifest declares", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", manifest: .declaring(parts: "2"))),
                expect: [["D-1"]]),
            RuleExample("a part whose decoded size is not its bytes", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("abc", declaredBytes: 4)],
                                                     manifest: .declaring(bytes: "4"))),
                expect: [["D-1"]]),
            RuleExample("a part whose hash is not its sha256", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1",
                                                     parts: [.inline("abc", declaredSha: String(repeating: "0", count: 64))])),
                expect: [["D-1"]]),
            RuleExample("base64 that does not decode", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("abc", base64: "YW*j")])),
                expect: [["D-1"]]),
            RuleExample("base64 without its padding", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("ab", base64: "YWI")])),
                expect: [["D-1"]]),
            RuleExample("inline text not marked as base64 does not decode", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("abc", encoding: nil)])),
                expect: [["D-1"]]),
            RuleExample("an href naming no file", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1",
                                                     parts: [.file("attachments/missing.pdf", holding: "abc")])),
                expect: [["D-1"]]),
            RuleExample("an href climbing out of the export's folder is never opened", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.file("../outside.bin", holding: "abc")])),
                expect: [["D-1"]], files: ["../outside.bin": Array("abc".utf8)]),
            RuleExample("an absolute href is never opened", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.file("/etc/hostname", holding: "abc")])),
                expect: [["D-1"]]),
            RuleExample("the parts' bytes do not add up to the manifest's", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", manifest: .declaring(bytes: "1"))),
                expect: [["D-1"]]),
            RuleExample("the manifest's sha256 is not that of the parts in seq order", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("a"), .inline("b")],
                                                     manifest: .declaring(sha256: Fixture.sha256(Array("ba".utf8))))),
                expect: [["D-1"]]),
            RuleExample("a repeated seq", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("a", seq: "1"), .inline("b", seq: "1")],
                                                     manifest: .declaring(sha256: Fixture.sha256(Array("ab".utf8))))),
                expect: [["D-1"]]),
            RuleExample("an uploaded document with no manifest", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", manifest: nil)),
                expect: [["D-1"]]),
            RuleExample("a part whose sha256 is not a digest", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("abc", rawSha: "XYZ")])),
                expect: [["D-1"]]),
            RuleExample("an invalid UploadedAt still means it was uploaded, and checked", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", uploadedAt: "yesterday", manifest: .declaring(parts: "3"))),
                expect: [["D-1"]]),
        ],
        nonTriggering: [
            RuleExample("one inline part matching its manifest", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1"))),
            RuleExample("inline and href parts matching their manifest", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1",
                                                     parts: [.inline("first"), .file("attachments/D-1-2.jpg", holding: "second")])),
                files: ["attachments/D-1-2.jpg": Array("second".utf8)]),
            RuleExample("parts written out of seq order are hashed in seq order", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("b", seq: "2"), .inline("a", seq: "1")]))),
            RuleExample("base64 broken by line breaks and spaces still decodes", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("Assessment", base64: "QXNz\n  ZXNz\r\nbWVudA==\n")]))),
            RuleExample("a document never uploaded is not also incomplete", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", uploadedAt: nil, parts: [], manifest: nil))),
            RuleExample("a quarantined document takes no part", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "XYZ", manifest: .declaring(parts: "2")))),
            RuleExample("an empty upload that declares nothing", Fixture.oneChild
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: []))),
        ])

    public static let subject: FindingSubject? = .record(.document, field: "document")

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        // Each way an upload can fall short is a flag; only documents with a raised flag come back. Each
        // document gathers its parts through the owner index, in document order: no list of every
        // document's parts is built and searched first (a fifth of this rule's time).
        return try context.database.mapRows("""
            WITH judged AS (
                SELECT d.id, d.person, d.family, d.line, d.manifestParts, d.manifestBytes,
                       count(p.rid) AS part_count, coalesce(sum(p.bytes), 0) AS declared_bytes,
                       min(CASE WHEN p.content_state <> 'ok' THEN 'part ' || coalesce(p.seq, p.seq_bad, '?') || ': ' || p.content_problem END) AS problem,
                       (d.manifestParts IS NULL OR d.manifestBytes IS NULL OR d.manifestSha256 IS NULL) AS no_manifest,
                       count(p.rid) IS NOT d.manifestParts AS wrong_count,
                       coalesce(sum(p.rid IS NOT NULL AND (p.seq IS NULL OR p.bytes IS NULL OR p.sha256 IS NULL)), 0) > 0 AS invalid_values,
                       count(DISTINCT p.seq) < count(p.rid) AS repeated_seq,
                       coalesce(sum(p.content_state = 'ok' AND p.content_bytes <> p.bytes), 0) > 0 AS wrong_size,
                       coalesce(sum(p.content_state = 'ok' AND p.content_sha256 <> p.sha256), 0) > 0 AS wrong_hash,
                       coalesce(sum(p.bytes), 0) IS NOT d.manifestBytes AS wrong_total,
                       d.parts_sha256 IS NOT d.manifestSha256 AS wrong_content
                FROM stg_document d LEFT JOIN stg_part p ON p.owner_rid = d.rid
                WHERE d.quarantined = 0 AND (d.uploadedAt IS NOT NULL OR d.uploadedAt_bad IS NOT NULL)
                GROUP BY d.rid)
            SELECT * FROM judged
            WHERE no_manifest OR wrong_count OR problem IS NOT NULL OR invalid_values OR repeated_seq OR wrong_size
               OR wrong_hash OR wrong_total OR wrong_content
            """) { row in
            let reasons = Self.reasons(row)
            let id = row["id"] ?? "?"
            let more = reasons.count > 1 ? " (and \(reasons.count - 1) more problem\(reasons.count > 2 ? "s" : ""))" : ""
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("document", id)],
                context: RecordContext.fields(child: row["person"], family: row["family"]),
                message: "\(id) on \(row["person"] ?? "?")'s record is incomplete: \(reasons.first ?? "its parts do not add up")\(more)",
                source: context.source(line: row.int("line")))
        }
    }

    /// The flags a document raised, in words, most telling first.
    static func reasons(_ row: Row) -> [String] {
        if row.int("no_manifest") == 1 { return ["its Manifest is missing or invalid, so it cannot be shown complete"] }
        let count = row.int("part_count") ?? 0
        let declared = row.int("manifestParts") ?? 0
        var reasons: [String] = []
        if row.int("wrong_count") == 1 { reasons.append("\(count) part\(count == 1 ? "" : "s") arrived of the \(declared) its Manifest declares") }
        if let problem = row["problem"] { reasons.append(problem) }
        if row.int("invalid_values") == 1 { reasons.append("a part's seq, bytes or sha256 is missing or invalid") }
        if row.int("repeated_seq") == 1 { reasons.append("a part's seq is repeated") }
        if row.int("wrong_size") == 1 { reasons.append("a part's content is not the size its bytes declares") }
        if row.int("wrong_hash") == 1 { reasons.append("a part's content does not match its sha256") }
        if row.int("wrong_total") == 1 {
            reasons.append("its parts declare \(row.int("declared_bytes") ?? 0) bytes, its Manifest \(row.int("manifestBytes") ?? 0)")
        }
        if row.int("wrong_content") == 1 { reasons.append("its parts' content in seq order does not match the Manifest's sha256") }
        return reasons
    }
}
