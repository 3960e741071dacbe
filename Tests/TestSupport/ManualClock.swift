import Foundation
import ReelSimulator
import Synchronization

/// A clock the test moves by hand.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = Mutex(start) }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// Installs the clock in a configuration (its data is made "now" too; arrivals and deletions follow it).
    public func install(in configuration: inout SimulatorConfiguration) {
        configuration.clock = { [self] in now }
        configuration.epoch = now
        configuration.lifeFollowsClock = true
    }
}
