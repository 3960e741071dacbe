/// Runs `work` over `inputs`, at most `width` at once, and hands each result to `handle` on the calling
/// task, as it arrives: the caller alone touches its state (the catalog), the workers only `Sendable` parts.
///
/// `handle` returns false to stop: no further work starts and what runs is cancelled. Cancelling the
/// calling task does the same.
func forEachConcurrently<Input: Sendable, Output: Sendable>(
    _ inputs: [Input], width: Int, work: @escaping @Sendable (Input) async -> Output, handle: (Input, Output) -> Bool
) async {
    await withTaskGroup(of: (Input, Output).self) { group in
        var next = 0
        var stopped = false
        while next < inputs.count && next < max(1, width) {
            let input = inputs[next]
            next += 1
            group.addTask { (input, await work(input)) }
        }
        while let (input, output) = await group.next() {
            if !stopped && !handle(input, output) {
                stopped = true
                group.cancelAll()
            }
            if !stopped && !Task.isCancelled && next < inputs.count {
                let input = inputs[next]
                next += 1
                group.addTask { (input, await work(input)) }
            }
        }
    }
}
