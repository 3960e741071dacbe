import Foundation

extension DialectDecoder {
    /// The web usage answer `{"data":{"consumed","capacity","available","subscription":{"active","plan"}}}`
    /// (numbers may come as strings or floats) or the official credits answer `{"credit_balance": 1234.0}`.
    public func usage(_ data: Data) throws(RemoteDecodeError) -> RemoteUsage {
        let root = try Self.parse(data).root
        let object = root["data"].flatMap { $0.kind == .object ? $0 : nil } ?? root
        guard object.kind == .object else { throw Self.shapeError(root, expected: "an account's usage") }
        let fields = Fields(object, prefix: object.index == root.index ? "" : "data.")
        var usage = RemoteUsage()
        do throws(FieldError) {
            usage.consumed = try fields.integer("consumed")
            usage.capacity = try fields.integer("capacity")
            usage.available = try fields.integer("available")
            if let subscription = try fields.object("subscription", path: "subscription") {
                usage.plan = try subscription.string("plan")
                usage.subscriptionActive = try subscription.flag("active")
            }
            if let balance = fields.value("credit_balance") {
                guard let cents = balance.double ?? balance.string.flatMap(Double.init) else {
                    throw fields.error("credit_balance", "is not a number: \(balance.snippet)")
                }
                usage.creditCents = cents
            }
        } catch {
            throw RemoteDecodeError(.invalidField, error.message)
        }
        guard usage.consumed != nil || usage.capacity != nil || usage.available != nil || usage.creditCents != nil else {
            throw Self.shapeError(root, expected: "an account's usage (consumed, capacity, available or credit_balance)")
        }
        return usage
    }
}

extension DialectDecoder {
    /// The web upload answer `{"data":{"id","presigned_url","public_url"}}`: the public URL (the presigned
    /// one expires).
    public func uploaded(_ data: Data) throws(RemoteDecodeError) -> String {
        let root = try Self.parse(data).root
        for object in [root["data"], root].compactMap({ $0 }) where object.kind == .object {
            let fields = Fields(object)
            if let url = (try? fields.firstString("public_url", "url")) ?? nil { return url }
        }
        throw Self.shapeError(root, expected: "an uploaded file's public_url")
    }
}
