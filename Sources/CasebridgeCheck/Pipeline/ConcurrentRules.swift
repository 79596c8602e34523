import CasebridgeModel
import CasebridgeStore
import Foundation

/// Runs rules over a staged export on two connections to the staging file at once: each rule is one
/// read-only query over the staged records, so two cores can judge side by side.
///
/// The rules are taken one at a time, in the order given, by whichever connection is free: the
/// staging's own (on the calling thread) and a second, read-only one on a thread of its own. Each
/// rule's findings come back under its index, so the findings document keeps the rules' order; when
/// rules fail, the failure of the first in that order is thrown, as if they had run one after another.
/// Where a second connection cannot be opened (an in-memory staging), every rule runs on the staging's own.
struct ConcurrentRules {
    let rules: [any IntegrityRule]
    let context: RuleContext
    /// Where each rule's findings go as the rule ends, when they are not to be held until all have run
    /// (its result then lists none).
    var spill: FindingSpill?

    /// What running one rule gave: its findings and seconds, or its failure.
    typealias Outcome = Result<(findings: [Finding], seconds: Double), any Error>

    /// Runs the rules at `indices` (positions in ``rules``), returning each one's findings and seconds.
    func run(_ indices: [Int]) throws -> [Int: (findings: [Finding], seconds: Double)] {
        let queue = RuleQueue(indices)
        if indices.count > 1, let helper = try openHelper() {
            let work = HelperWork(rules: rules, context: context.reading(through: helper), queue: queue, spill: spill)
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                work.run()
                done.signal()
            }
            thread.name = "casebridge-rules"
            thread.start()
            Self.work(rules: rules, context: context, queue: queue, spill: spill)
            done.wait()
            try context.staging.holdExclusively()
        } else {
            Self.work(rules: rules, context: context, queue: queue, spill: spill)
        }
        return try queue.results()
    }

    /// A second, read-only connection to the staging file, once the staging's own lets others read it;
    /// `nil` when there is no file to open again.
    private func openHelper() throws -> Database? {
        let path = context.staging.database.path
        guard !path.isEmpty, path != ":memory:", FileManager.default.fileExists(atPath: path) else { return nil }
        try context.staging.shareForReading()
        do {
            return try StagingStore.openReader(at: path)
        } catch {
            try context.staging.holdExclusively()
            return nil
        }
    }

    /// Takes rules from `queue` and runs them through `context` until none is left (or one failed); with
    /// `spill`, each rule's findings go there as it ends.
    fileprivate static func work(rules: [any IntegrityRule], context: RuleContext, queue: RuleQueue, spill: FindingSpill?) {
        while let index = queue.take() {
            let start = Date()
            do {
                var findings = try rules[index].findings(in: context)
                if let spill {
                    try spill.append(findings)
                    findings = []
                }
                queue.put(index, .success((findings, Date().timeIntervalSince(start))))
            } catch {
                queue.put(index, .failure(error))
            }
        }
    }
}

/// The rules still to run, and what each that ran gave; shared by the two connections' threads.
private final class RuleQueue: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`:
    private var pending: ArraySlice<Int>
    private var outcomes: [Int: ConcurrentRules.Outcome] = [:]
    private var failed = false

    init(_ indices: [Int]) {
        pending = indices[...]
    }

    /// The next rule to run, or `nil` when none is left or one has failed.
    func take() -> Int? {
        lock.withLock {
            guard !failed else { return nil }
            return pending.popFirst()
        }
    }

    func put(_ index: Int, _ outcome: ConcurrentRules.Outcome) {
        lock.withLock {
            outcomes[index] = outcome
            if case .failure = outcome { failed = true }
        }
    }

    /// Every rule's findings and seconds; throws the failure of the first rule (in index order) that failed.
    func results() throws -> [Int: (findings: [Finding], seconds: Double)] {
        try lock.withLock {
            var results: [Int: (findings: [Finding], seconds: Double)] = [:]
            for index in outcomes.keys.sorted() {
                results[index] = try outcomes[index]!.get()
            }
            return results
        }
    }
}

/// What the helper thread runs: rules through its own connection, which only it uses until it is done.
private final class HelperWork: @unchecked Sendable {
    let rules: [any IntegrityRule]
    let context: RuleContext
    let queue: RuleQueue
    let spill: FindingSpill?

    init(rules: [any IntegrityRule], context: RuleContext, queue: RuleQueue, spill: FindingSpill?) {
        self.rules = rules
        self.context = context
        self.queue = queue
        self.spill = spill
    }

    func run() {
        ConcurrentRules.work(rules: rules, context: context, queue: queue, spill: spill)
    }
}
