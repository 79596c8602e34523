import CasebridgeCheck
import CasebridgeTarget

extension StoredFinding {
    /// What a team does about this gap: its rule's action sentence (``RuleWording``), with the ids it names.
    var action: String {
        RuleRegistry.action(rule, GapFacts(child: child, document: document, date: eventDate, record: (recordKind, recordId),
                                           fields: fields, message: message))
    }
}
