@preconcurrency import CGSL

/// Streaming statistics computed by GSL: owns a `gsl_rstat_workspace` (freed on deinit).
///
/// Adds a running median estimate (GSL's P² algorithm) that ``RunningStats`` lacks, at a
/// higher per-sample cost. Not `Sendable`: the workspace is mutable C state owned by one run.
public final class GSLRunningStats {
    private let workspace: UnsafeMutablePointer<gsl_rstat_workspace>

    public init() {
        GSLLibrary.configure()
        guard let workspace = gsl_rstat_alloc() else {
            fatalError("gsl_rstat_alloc failed: out of memory")
        }
        self.workspace = workspace
    }

    deinit {
        gsl_rstat_free(workspace)
    }

    /// Adds one sample. Wraps `gsl_rstat_add`.
    public func add(_ value: Double) {
        _ = gsl_rstat_add(value, workspace)
    }

    /// Wraps `gsl_rstat_n`.
    public var count: Int { gsl_rstat_n(workspace) }
    /// Wraps `gsl_rstat_mean`.
    public var mean: Double { gsl_rstat_mean(workspace) }
    /// The unbiased sample variance (n − 1). Wraps `gsl_rstat_variance`.
    public var variance: Double { gsl_rstat_variance(workspace) }
    /// Wraps `gsl_rstat_sd`.
    public var standardDeviation: Double { gsl_rstat_sd(workspace) }
    /// Wraps `gsl_rstat_min`.
    public var min: Double { gsl_rstat_min(workspace) }
    /// Wraps `gsl_rstat_max`.
    public var max: Double { gsl_rstat_max(workspace) }
    /// A P² estimate of the median (exact for ≤ 5 samples). Wraps `gsl_rstat_median`.
    public var median: Double { gsl_rstat_median(workspace) }

    /// Forgets every sample. Wraps `gsl_rstat_reset`.
    public func reset() {
        _ = gsl_rstat_reset(workspace)
    }
}
