/// Where the library lives: `--library DIR`, else `$REEL_LIBRARY`, else `$XDG_DATA_HOME/reel`,
/// else `~/.local/share/reel`.
public enum LibraryLocation {
    /// Resolves the library folder from an explicit option and the environment.
    public static func resolve(option: String?, environment: [String: String]) throws(ReelError) -> String {
        if let option, !option.isEmpty { return option }
        if let path = environment["REEL_LIBRARY"], !path.isEmpty { return path }
        // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/reel" }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw ReelError("cannot tell where the library is: HOME is not set; pass --library DIR", status: .usage)
        }
        return home + "/.local/share/reel"
    }
}
