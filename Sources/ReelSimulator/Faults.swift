/// A fault the simulator can inject into a response.
public enum Fault: String, Sendable, CaseIterable {
    /// 500 with an error body.
    case serverError = "500"
    /// 503 with `Retry-After`.
    case unavailable = "503"
    /// 429 with `Retry-After`.
    case rateLimited = "429"
    /// The connection is closed part-way through the body.
    case reset
    /// Fewer bytes than the announced Content-Length, then the connection closes.
    case truncate
    /// The body trickles out slowly.
    case slow
    /// 200 with an HTML error page instead of the real body.
    case html
}

/// `--faults 500=0.05,429=0.05,reset=0.02,…`: how often each fault happens.
public struct FaultSpec: Sendable, Equatable {
    public private(set) var rates: [Fault: Double] = [:]

    public init() {}

    /// Parses the command-line form; throws a message naming the bad part.
    public init(parsing text: String) throws(SimulatorError) {
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2, let fault = Fault(rawValue: pieces[0]) else {
                throw SimulatorError("unknown fault '\(part)': use \(Fault.allCases.map(\.rawValue).joined(separator: ", ")) as NAME=RATE")
            }
            guard let rate = Double(pieces[1]), rate >= 0, rate <= 1 else {
                throw SimulatorError("fault rate '\(pieces[1])' for \(fault.rawValue) must be a number from 0 to 1")
            }
            rates[fault] = rate
        }
        guard rates.values.reduce(0, +) <= 1 else { throw SimulatorError("fault rates add up to more than 1") }
    }

    public var isEmpty: Bool { rates.values.allSatisfy { $0 == 0 } }

    /// The fault (or none) for a draw in 0..<1, by walking the cumulative rates in a fixed order.
    func fault(forDraw draw: Double) -> Fault? {
        var cumulative = 0.0
        for fault in Fault.allCases {
            cumulative += rates[fault] ?? 0
            if draw < cumulative { return fault }
        }
        return nil
    }
}

/// An error in the simulator's configuration or arguments.
public struct SimulatorError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
