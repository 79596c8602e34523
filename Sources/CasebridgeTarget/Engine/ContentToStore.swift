import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Crypto

/// The content a load stores, for every engine: one row per SHA-256 among the loaded parts, and the
/// bytes of each read back from the run's pack (inline content) or the export's folder (`href`), hashed
/// as they are written so that a byte that changed fails the run.
enum ContentToStore {
    /// The content of the staged parts that load (`staging` is the prefix the staging's tables are read
    /// with): `sha256`, `bytes`, where the bytes are (`offset` in the pack, else `href`) and how many
    /// `parts` hold them. Continuing the live state from rid `continuedFrom`, only the parts the delta
    /// touched: the others' content was stored by the runs that loaded them.
    static func select(staging: String, continuedFrom: Int?) -> String {
        let onlyTouched = continuedFrom.map {
            "AND p.rid IN (SELECT rid FROM \(staging)\(StagingTable.touched) UNION ALL SELECT rid FROM \(staging)\(StagingTable.records(.part)) WHERE rid >= \($0))"
        } ?? ""
        return """
            SELECT p.content_sha256 AS sha256, max(p.content_bytes) AS bytes, min(p.content_offset) AS "offset", min(p.href) AS href,
                   count(*) AS parts
            FROM \(staging)\(StagingTable.records(.part)) p
            WHERE p.quarantined = 0 AND p.content_state = 'ok' AND p.content_sha256 IS NOT NULL \(onlyTouched)
            GROUP BY p.content_sha256
            """
    }

    /// Refuses to go on when the run's copy of the inline content could not be written whole.
    static func requirePack(_ source: ContentSource) throws {
        if source.pack.writeFailed {
            throw TargetError(source.exportPath, "the temporary copy of the export's content could not be written (is the disk full?); nothing was changed")
        }
    }

    /// Hands `write` the bytes of the content of `candidate` (a row of ``select(staging:continuedFrom:)``)
    /// block by block, hashing them; fails the run when they cannot be read, or are not the `bytes` of
    /// SHA-256 `sha256` the read found.
    static func stream(_ candidate: Row, source: ContentSource, files: ContentFiles,
                       write: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let sha = candidate["sha256"], let bytes = candidate.int("bytes") else { return }
        var hasher = SHA256()
        var written: Int64 = 0
        var failure: (any Error)?
        let body: (UnsafeRawBufferPointer) -> Void = { block in
            guard failure == nil else { return }
            hasher.update(bufferPointer: block)
            written += Int64(block.count)
            do { try write(block) } catch { failure = error }
        }
        let read: Bool
        if let offset = candidate.int("offset") {
            read = source.pack.read(offset: Int64(offset), length: Int64(bytes), body)
        } else if let href = candidate["href"] {
            read = files.read(href, body)
        } else {
            read = false
        }
        if let failure { throw failure }
        guard read else { throw TargetError(source.exportPath, "the content of SHA-256 \(sha) could no longer be read; nothing was changed") }
        let digest = hasher.finalize().hex
        guard written == Int64(bytes), digest == sha else {
            throw TargetError(source.exportPath, "content changed while migrating: expected SHA-256 \(sha) (\(bytes) bytes), wrote \(digest) (\(written) bytes); nothing was changed")
        }
    }
}
