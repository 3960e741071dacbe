import Foundation
import HTTP
import Testing
import TestSupport

/// `reel usage` against the simulator: each dialect's answer, as the simulator itself gives it.
@Suite struct UsageCLITests {
    /// The simulator's own answer to `path`, asked with the key.
    private func oracle(_ fixture: SyncFixture, _ path: String) async throws -> [String: Any] {
        let response = try await fixture.client.send(HTTPRequest(url: fixture.base + path, bearerToken: fixture.key))
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    @Test func webUsage() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 5)
        let expected = try #require(try await oracle(fixture, "/api/generations/usage")["data"] as? [String: Any])
        let result = try await fixture.reel(["usage", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        #expect(object["remote"] as? String == "sim" && object["offered"] as? Bool == true)
        for field in ["consumed", "capacity", "available"] {
            #expect(object[field] as? Int == expected[field] as? Int, "\(field)")
        }
        #expect(object["plan"] as? String == (expected["subscription"] as? [String: Any])?["plan"] as? String)
        let text = try await fixture.reel(["usage"])
        #expect(text.stdout == "sim\t\(expected["available"] as? Int ?? -1) generations available, \(expected["consumed"] as? Int ?? -1) of \(expected["capacity"] as? Int ?? -1) used, plan standard\n", "\(text.stdout)")
    }

    @Test func officialCredits() async throws {
        let fixture = try await SyncFixture(dialect: "official", count: 5)
        let cents = try #require(try await oracle(fixture, "/dream-machine/v1/credits")["credit_balance"] as? Double)
        let result = try await fixture.reel(["usage", "--remote", "sim", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any]
        #expect(object?["credit_cents"] as? Double == cents)
        let text = try await fixture.reel(["usage"])
        #expect(text.stdout == "sim\t" + String(format: "credit balance $%.2f", cents / 100) + "\n", "\(text.stdout)")
    }

    @Test func proxyOffersNoneAndAWrongKeyIsRefused() async throws {
        let fixture = try await SyncFixture(dialect: "proxy", count: 5)
        let listed = try await fixture.reel(["usage"])
        #expect(listed.status == 0 && listed.stdout == "sim\tnot offered (proxy remotes have no usage call)\n", "\(listed.stdout)\(listed.stderr)")
        let named = try await fixture.reel(["usage", "--remote", "sim"])
        #expect(named.status == 69 && named.stderr == "reel: remote sim (proxy) offers no usage or credits call\n", "\(named.stderr)")

        let web = try await SyncFixture(dialect: "web", count: 5)
        let refused = try await web.reel(["usage", "--remote", "sim"], key: "sk-wrong")
        #expect(refused.status == 77 && refused.stderr.contains("refused the API key") && !refused.stderr.contains("sk-wrong"), "\(refused.stderr)")
    }
}
