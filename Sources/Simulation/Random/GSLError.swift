@preconcurrency import CGSL

/// An error reported by GSL, carrying its status code (`GSL_EDOM`, `GSL_EINVAL`, …).
///
/// GSL's default error handler aborts the process; lvssim turns it off once
/// (see ``GSLLibrary/configure()``) and converts returned status codes into this error.
public struct GSLError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The raw GSL status code (never `GSL_SUCCESS`).
    public let status: Int32

    /// Creates an error for a GSL status code.
    public init(status: Int32) {
        self.status = status
    }

    /// GSL's own message for the status code. Wraps `gsl_strerror`.
    public var message: String {
        String(cString: gsl_strerror(status))
    }

    public var description: String {
        "GSL error \(status): \(message)"
    }

    /// Throws a `GSLError` unless `status` is `GSL_SUCCESS`.
    public static func check(_ status: Int32) throws(GSLError) {
        if status != GSL_SUCCESS {
            throw GSLError(status: status)
        }
    }
}

/// Process-wide facts about, and one-time setup of, the linked GSL.
public enum GSLLibrary {
    /// Runs exactly once (Swift `static let` initialisers are thread-safe, lazily
    /// evaluated via `swift_once`), so no mutable global state is involved.
    private static let errorHandlerDisabled: Bool = {
        // Returns the previous handler; lvssim never restores it.
        _ = gsl_set_error_handler_off()
        return true
    }()

    /// Turns GSL's abort-on-error handler off so failures come back as status codes.
    /// Idempotent and thread-safe; every GSL-owning type calls it before first use.
    public static func configure() {
        _ = errorHandlerDisabled
    }

    /// The version string of the GSL actually linked, e.g. `"2.7.1"`. Reads `gsl_version`.
    public static var version: String {
        String(cString: lvssim_gsl_version())
    }
}
