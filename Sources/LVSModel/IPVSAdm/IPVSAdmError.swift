/// Why an ipvsadm invocation failed: what it prints on stderr and the exit
/// status, mirroring the three ways ipvsadm 1.31 gives up.
public enum IPVSAdmError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `fail(2, …)`: a rejected argument or option combination.
    case usage(String)
    /// A popt-level error (`-w: missing argument`, `--bogus: unknown option`): exit 255.
    case optionParsing(option: String, reason: String)
    /// No command as the first option (or an unusable one): the "Try" hint, exit 255.
    case tryHelp
    /// The kernel refused the change: its message, exit 255.
    case kernel(IPVSError)
    /// `-L <service>` of a missing service: the kernel message, exit 1.
    case listing(IPVSError)

    /// The exit status ipvsadm returns.
    public var exitCode: Int32 {
        switch self {
        case .usage: return 2
        case .optionParsing, .tryHelp, .kernel: return 255
        case .listing: return 1
        }
    }

    /// The complete stderr text, trailing newline included.
    public var stderr: String { description + "\n" }

    /// The message without its trailing newline.
    public var description: String {
        switch self {
        case .usage(let message): return message
        case .optionParsing(let option, let reason): return "\(option): \(reason)"
        case .tryHelp: return "Try `ipvsadm -h' or 'ipvsadm --help' for more information."
        case .kernel(let error), .listing(let error): return error.description
        }
    }
}
