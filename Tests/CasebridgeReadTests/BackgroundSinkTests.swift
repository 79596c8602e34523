import CasebridgeModel
@testable import CasebridgeRead
import Testing

/// A sink that fails on its `failAt`th record.
final class FailingSink: RecordSink {
    struct Full: Error {}
    let failAt: Int
    var stored: [Int] = []
    init(failAt: Int) { self.failAt = failAt }
    func accept(_ record: ReadRecord) throws {
        if stored.count + 1 == failAt { throw Full() }
        stored.append(record.ordinal)
    }
}

func record(_ ordinal: Int) -> ReadRecord {
    ReadRecord(kind: .team, ordinal: ordinal, ownerOrdinal: nil, line: ordinal, ownerLine: nil,
               values: [String(ordinal), nil], badValues: [nil, nil], invalid: [], reportedId: String(ordinal), recordId: String(ordinal))
}

struct BackgroundSinkTests {
    @Test func `every record reaches the target, in order`() throws {
        let target = FailingSink(failAt: .max)
        let sink = BackgroundSink(target, batchSize: 7, maxQueuedBatches: 2)
        for ordinal in 1...1000 { try sink.accept(record(ordinal)) }
        try sink.finish()
        #expect(target.stored == Array(1...1000))
    }

    @Test func `a failure of the target is thrown, and nothing after it is stored`() throws {
        let target = FailingSink(failAt: 50)
        let sink = BackgroundSink(target, batchSize: 10, maxQueuedBatches: 2)
        var thrown = false
        do {
            for ordinal in 1...1000 { try sink.accept(record(ordinal)) }
            try sink.finish()
        } catch is FailingSink.Full {
            thrown = true
        }
        #expect(thrown)
        #expect(target.stored == Array(1...49))
    }

    @Test func `cancel stops the thread without storing the rest`() throws {
        let target = FailingSink(failAt: .max)
        let sink = BackgroundSink(target, batchSize: 1000)
        for ordinal in 1...10 { try sink.accept(record(ordinal)) }
        sink.cancel()
        #expect(target.stored.isEmpty)
    }
}
