#ifndef LVSSIM_CGSL_SHIM_H
#define LVSSIM_CGSL_SHIM_H
// Only the GSL headers lvssim uses; Simulation wraps them behind a Swift API.
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_rstat.h>
#include <gsl/gsl_version.h>

/// The Mersenne Twister generator type (a C global, exposed as a function for Swift).
static inline const gsl_rng_type *lvssim_rng_mt19937(void) { return gsl_rng_mt19937; }
/// GSL's version string.
static inline const char *lvssim_gsl_version(void) { return gsl_version; }
/// A cache prefetch hint (no effect on results; any address is allowed, none is dereferenced).
static inline void lvssim_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }
#endif
