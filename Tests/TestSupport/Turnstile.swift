import Foundation
import Synchronization

/// Lets through a number of passers that the test grants as it goes, so that something the simulator
/// serves (a sync's downloads) advances in step with something the test does. A passer that waits
/// longer than `patience` goes through anyway: a test that stalls must not make a client time out.
public final class Turnstile: Sendable {
    private struct State {
        var permits: Int
        var open = false
    }

    private let state: Mutex<State>
    private let patience: Duration

    public init(permits: Int, patience: Duration = .seconds(10)) {
        state = Mutex(State(permits: permits))
        self.patience = patience
    }

    /// Waits for a permit (polling; passers are few and slow), or for `patience`.
    public func pass() async {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            let admitted = state.withLock { state -> Bool in
                if state.open { return true }
                guard state.permits > 0 else { return false }
                state.permits -= 1
                return true
            }
            if admitted { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Grants `count` more passers.
    public func grant(_ count: Int) { state.withLock { $0.permits += count } }

    /// Lets everyone through from now on.
    public func open() { state.withLock { $0.open = true } }
}
