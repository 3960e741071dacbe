/// Reads a proxy batch Task (`POST /luma/tasks`): the aggregator's own record around a proxy Item.
/// How the two combine is documented on `DialectDecoder.tasks(_:)`.
struct TaskDecoder {
    func decode(_ task: JSONValue) throws(FieldError) -> RemoteGeneration {
        guard task.kind == .object else { throw FieldError(path: "the task", problem: "is not an object: \(task.snippet)") }
        let f = Fields(task)
        let status = try f.string("status")
        let failReason = try f.string("fail_reason")
        // `data` is an empty placeholder until the upstream item exists.
        var generation: RemoteGeneration
        if let data = f.value("data"), data.kind == .object, data["id"] != nil {
            generation = try LumaItemDecoder(dialect: .proxy).decode(data, prefix: "data.")
        } else {
            if let data = f.value("data"), !data.isEmptyString, data.kind != .object {
                throw f.error("data", "is not an item: \(data.snippet)")
            }
            guard let id = try f.identifier("task_id") else { throw f.error("task_id", "is missing") }
            generation = RemoteGeneration(
                id: id, prompt: try f.string("prompt", keepEmpty: true) ?? "", state: .unknown, rawState: "",
                createdAt: try f.time("submit_time"), rawJSON: task.rawText, dialect: .proxy)
        }
        // The id asked for is the one the caller matches on.
        if let id = try f.identifier("task_id") { generation.id = id }
        // The status decides when it says something else than the item (or the item says nothing); when
        // the two agree, the item's own word stays, so that a batch poll and a list page record the same.
        if let status {
            let taskState = GenerationState(taskStatus: status)
            if generation.rawState.isEmpty || (taskState != .unknown && taskState != generation.state) {
                generation.state = taskState
                generation.rawState = status
            }
        }
        if let failReason { generation.failureReason = failReason }
        if generation.createdAt == nil { generation.createdAt = try f.time("submit_time") }
        return generation
    }
}
