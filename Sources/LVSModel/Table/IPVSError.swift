/// A rejection by the (simulated) kernel of an IPVS table change, with the
/// errno the kernel returns and the message ipvsadm prints for it.
public enum IPVSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// EEXIST on `-A`.
    case serviceExists
    /// ENOENT on `-A`/`-E` with an unknown scheduler or persistence engine.
    case schedulerNotFound(String)
    /// ESRCH on `-E`, `-D`, `-Z`, `-L <service>`.
    case noSuchService
    /// ESRCH on `-a`, `-e`, `-d`.
    case serviceNotDefined
    /// EEXIST on `-a`.
    case destinationExists
    /// ENOENT on `-e`, `-d`.
    case noSuchDestination
    /// ERANGE: lower threshold above upper threshold.
    case thresholdRange
    /// EINVAL: address not unicast, mixed families without tunnelling, bad netmask, …
    case invalidOperation(String)

    /// The errno value the kernel returns.
    public var errno: Int32 {
        switch self {
        case .serviceExists, .destinationExists: return 17  // EEXIST
        case .schedulerNotFound, .noSuchDestination: return 2  // ENOENT
        case .noSuchService, .serviceNotDefined: return 3  // ESRCH
        case .thresholdRange: return 34  // ERANGE
        case .invalidOperation: return 22  // EINVAL
        }
    }

    /// The text ipvsadm 1.31 prints on stderr.
    public var description: String {
        switch self {
        case .serviceExists: return "Service already exists"
        case .schedulerNotFound: return "Scheduler or persistence engine not found"
        case .noSuchService: return "No such service"
        case .serviceNotDefined: return "Service not defined"
        case .destinationExists: return "Destination already exists"
        case .noSuchDestination: return "No such destination"
        case .thresholdRange: return "Numerical result out of range"
        case .invalidOperation: return "Invalid operation.  Possibly wrong module version, address not unicast, ..."
        }
    }
}
