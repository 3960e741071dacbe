import Foundation
import RemoteAPI
import Testing

/// The web usage and official credits answers, as the dialects document them and with their quirks.
@Suite struct UsageTests {
    let web = DialectDecoder(dialect: .web)
    let official = DialectDecoder(dialect: .official)

    @Test func webUsageFromTheDocument() throws {
        let body = #"""
        {"data":{"consumed":12,"capacity":30,"available":18,"subscription":{"active":false,"plan":"free","type":null},
         "plans":[{"name":"Free","key":"free","capacity_per_month":30,"monthly_cost_in_cents":0,"yearly_cost_in_cents":0},
                  {"name":"Standard","key":"standard","capacity_per_month":150,"monthly_cost_in_cents":2999,"yearly_cost_in_cents":28790.4}]}}
        """#
        let usage = try web.usage(Data(body.utf8))
        #expect(usage.consumed == 12 && usage.capacity == 30 && usage.available == 18)
        #expect(usage.plan == "free" && usage.subscriptionActive == false && usage.creditCents == nil)
    }

    @Test func stringlyNumbersAndEmptyValues() throws {
        let usage = try web.usage(Data(#"{"data":{"consumed":"3","capacity":"30.0","available":"","subscription":null}}"#.utf8))
        #expect(usage.consumed == 3 && usage.capacity == 30 && usage.available == nil && usage.plan == nil)
    }

    @Test func officialCredits() throws {
        #expect(try official.usage(Data(#"{"credit_balance":1234.0}"#.utf8)).creditCents == 1234)
        #expect(try official.usage(Data(#"{"credit_balance":"99.5"}"#.utf8)).creditCents == 99.5)
    }

    @Test func errorsAndOtherShapesAreClearErrors() {
        let cases: [(String, RemoteDecodeError.Kind, String)] = [
            (#"{"detail":"Invalid API key is provided"}"#, .remoteError, "Invalid API key is provided"),
            (#"{"data":[]}"#, .unexpectedShape, "usage"),
            (#"{"data":{"consumed":"many"}}"#, .invalidField, "data.consumed is not a whole number"),
            (#"{"credit_balance":true}"#, .invalidField, "credit_balance is not a number"),
            ("<html>502 Bad Gateway</html>", .htmlPage, "HTML page"),
            ("", .emptyBody, "empty body"),
        ]
        for (body, kind, text) in cases {
            do {
                _ = try web.usage(Data(body.utf8))
                Issue.record("\(body) decoded")
            } catch {
                #expect(error.kind == kind && error.description.contains(text), "\(body): \(error)")
            }
        }
    }
}
