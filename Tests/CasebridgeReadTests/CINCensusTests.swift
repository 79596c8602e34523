import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import Foundation
import Testing

/// The DfE children-in-need census sample shipped beside the project, in ../shared/reference.
let cinSample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/reference/cin-census/liia-tools/spec/cin_census/samples/cin-2022.xml").path

/// A nested real-world format (Child > CINdetails > Assessments, Section47, ChildProtectionPlans) read by a
/// mapping file alone: a proof of the mapping design, not yet the shipped CIN mapping.
struct CINCensusTests {
    static let mapping = """
        format: dfe-cin-census
        root: Message
        envelope:
          exportId: Header/Source/SerialNo
        records:
          - kind: Person
            element: /Message/Children/Child
            fields:
              id: {path: ChildIdentifiers/LAchildID, required: true, key: true}
              kind: {value: child}
              birthDate: {path: ChildIdentifiers/PersonBirthDate, type: iso-date}
              gender: {path: ChildIdentifiers/GenderCurrent, codes: ["0", "1", "2", "9"]}
              ethnicity: ChildCharacteristics/Ethnicity
          - kind: Status
            element: /Message/Children/Child/CINdetails
            fields:
              person: {inherit: Person.id}
              code: {value: CIN}
              from: {path: CINreferralDate, type: iso-date, required: true}
              to: {path: CINclosureDate, type: iso-date}
          - kind: Status
            element: /Message/Children/Child/CINdetails/ChildProtectionPlans
            fields:
              person: {inherit: Person.id}
              code: {value: CP}
              from: {path: CPPstartDate, type: iso-date, required: true}
              to: {path: CPPendDate, type: iso-date}
          - kind: Plan
            element: /Message/Children/Child/CINdetails/ChildProtectionPlans
            fields:
              person: {inherit: Person.id}
              type: {value: CP}
              start: {path: CPPstartDate, type: iso-date, required: true}
              end: {path: CPPendDate, type: iso-date}
          - kind: Document
            element: /Message/Children/Child/CINdetails/Assessments
            fields:
              person: {inherit: Person.id}
              type: {value: ASSESS}
              scope: {value: child}
              eventDate: {path: AssessmentActualStartDate, type: iso-date, required: true}
          - kind: Document
            element: /Message/Children/Child/CINdetails/Section47
            fields:
              person: {inherit: Person.id}
              type: {value: STRAT}
              scope: {value: child}
              eventDate: {path: S47ActualStartDate, type: iso-date, required: true}
        """

    @Test(.enabled(if: FileManager.default.fileExists(atPath: cinSample)))
    func `the children-in-need census reads through a mapping file alone`() throws {
        let mapping = try MappingLoader.parse(Self.mapping, file: "cin.yaml")
        let sink = CollectingSink()
        let summary = try ExportReader(mapping: mapping).read(path: cinSample, into: sink)
        #expect(summary.envelope.values["exportId"] == "001")
        let person = try #require(sink.records.first { $0.kind == .person })
        #expect(person.value("id") == "DfEX0000001")
        #expect(person.value("birthDate") == "1966-03-24")
        let statuses = sink.records.filter { $0.kind == .status }
        #expect(statuses.map { "\($0.value("code") ?? "") \($0.value("from") ?? "")-\($0.value("to") ?? "")" }.sorted()
                == ["CIN 1970-10-06-1971-02-27", "CP 1970-02-17-1971-03-14"])
        #expect(statuses.allSatisfy { $0.value("person") == "DfEX0000001" })
        let documents = sink.records.filter { $0.kind == .document }
        #expect(documents.map { $0.value("eventDate") ?? "" }.sorted() == ["1970-06-02", "1970-06-03"])
        #expect(sink.records.first { $0.kind == .plan }?.value("end") == "1971-03-14")
    }
}
