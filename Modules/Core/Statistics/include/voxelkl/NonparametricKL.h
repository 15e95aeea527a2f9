// Non-parametric KL divergence between the samples of two series (pure C++): the 1-D
// k-nearest-neighbour estimator with a Theiler window, and the histogram plug-in on
// shared bins. Both see the whole series of a voxel at once.
#ifndef voxelkl_NonparametricKL_h
#define voxelkl_NonparametricKL_h

#include "voxelkl/SortedPair.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace voxelkl
{

/** How a voxel's KL is estimated. */
enum class KLEstimator
{
  Gaussian,         ///< closed form between fitted Gaussians (mean and variance only)
  NearestNeighbour, ///< k-NN (Wang, Kulkarni & Verdu 2009)
  Histogram         ///< plug-in on shared bins with a pseudocount
};

/** "gaussian", "knn", "histogram"; ParseKLEstimator throws std::invalid_argument. */
std::string
ToString(KLEstimator estimator);
KLEstimator
ParseKLEstimator(const std::string & name);

/** One finite sample of a series and the time point (volume index) it was taken at. */
struct TimedSample
{
  double        value;
  std::uint32_t time;
};

/** Sorts samples by value, then by time (a total order, so the result never depends on
 * the order they came in). */
void
SortByValue(std::vector<TimedSample> & samples);

/** k-NN estimate of KL(p || q) in nats, d = 1 (Wang, Kulkarni & Verdu 2009):
 *   (1/n) sum_i [ ln(nu_k(i) / rho_k(i)) + ln(M_i / N_i) ]
 * rho_k(i): distance from p_i to its k-th nearest neighbour among the other p samples,
 * leaving out those within the Theiler window (|t_i - t_j| <= window; Theiler 1986), which
 * are close in value only because the series is autocorrelated. nu_k(i): distance to its
 * k-th nearest q sample, leaving out the same window when crossWindow (paired series,
 * where q_t tracks p_t). N_i, M_i: how many p and q samples were candidates. Without
 * windows this is Wang's ln(m / (n - 1)) correction; with them it keeps the estimate
 * unbiased, and identical paired series give exactly 0.
 * Both inputs sorted with SortByValue and free of ties within each series (see
 * Dequantise). Every p sample must have at least k candidates in each series: see
 * NearestNeighbourMinimumSamples. */
double
NearestNeighbourKL(const std::vector<TimedSample> & p,
                   const std::vector<TimedSample> & q,
                   unsigned int                     k,
                   unsigned int                     window,
                   bool                             crossWindow);

/** The same for series sorted and padded by SortedPair; insertion[i]: the index of the
 * first q sample >= p_i (SortedPair::Insertion). */
double
NearestNeighbourKL(SortedSeries          p,
                   SortedSeries          q,
                   const std::uint32_t * insertion,
                   unsigned int          k,
                   unsigned int          window,
                   bool                  crossWindow);

/** Samples each series needs so that every sample has k candidates outside a window of
 * half-width w: 2w + k + 1. */
std::size_t
NearestNeighbourMinimumSamples(unsigned int k, unsigned int window);

/** Whether every one of values[0..count) is finite (neither NaN nor infinite). */
bool
AllFinite(const double * values, std::size_t count);

namespace detail
{
/** Whether this CPU runs the k-NN lane kernels (the log-ratio sum, the lag-1
 * autocorrelation) of a width: 2 (any x86-64), 4 (AVX2) or 8 doubles (AVX-512). */
bool
LaneWidthRuns(std::size_t width);
/** Makes the k-NN lane kernels use `width` from now on, in the whole process (one this
 * CPU does not run means the widest it runs, the default). For tests, which compare every
 * width's bits. */
void
UseLaneWidth(std::size_t width);

/** The k-NN neighbour-distance kernels by instruction set, each giving the same bits:
 * AVX-512 and AVX2 (x86-64-v3) take each sample's eight nearest candidates on each side
 * and drop those in the window; the portable ones (any CPU, vectorised across samples)
 * take k per side and leave a sample with a window candidate among them to the scalar
 * path. */
enum class NeighbourKernels
{
  Portable,
  Avx2,
  Avx512
};
/** Whether this CPU (and this build) runs `kernels`. */
bool
NeighbourKernelsRun(NeighbourKernels kernels);
/** Makes the k-NN use `kernels` from now on, in the whole process (a set this CPU does not
 * run means the default: the widest it runs, without AVX-512 under
 * VOXELKL_PORTABLE_KERNELS=1), and returns the set used until now. For tests, which compare
 * every set's bits. */
NeighbourKernels
UseNeighbourKernels(NeighbourKernels kernels);
} // namespace detail

/** The sums behind a lag-k autocorrelation about a series' least-squares line over time,
 * over the pairs (t, t + k) of finite values (non-finite values are gaps): lagged =
 * sum e_t e_t+k, squares = sum e_t^2, valueSquares = sum (x_t - mean)^2. Sums of several
 * runs (each about its own line) add up to their pooled autocorrelation. All 0 for fewer
 * than 3 finite values or a constant series. */
struct AutocorrelationSums
{
  double lagged{ 0.0 };
  double squares{ 0.0 };
  double valueSquares{ 0.0 };

  AutocorrelationSums &
  operator+=(const AutocorrelationSums & other)
  {
    lagged += other.lagged;
    squares += other.squares;
    valueSquares += other.valueSquares;
    return *this;
  }
  /** lagged / squares; 0 where the residuals are of rounding size (a straight line). */
  double
  Value() const;
};
AutocorrelationSums
LagAutocorrelationSums(const double * values, std::size_t count, std::size_t lag);

/** Lag-1 autocorrelation of a series in time order, about its least-squares line over
 * time (a drift is not autocorrelation), over consecutive finite pairs (non-finite values
 * are gaps): with e_t = x_t - m - b (t - t_mean) fitted over the finite values,
 * sum e_t e_t+1 / sum e_t^2. 0 for fewer than 3 finite values, a constant series or a
 * straight line. */
double
LagOneAutocorrelation(const double * values, std::size_t count);

/** max(LagOneAutocorrelation(a), LagOneAutocorrelation(b)), the same bits, from one pass
 * over both where they have the same length (the automatic Theiler window's phi). */
double
LargerLagOneAutocorrelation(const double * a, std::size_t aCount, const double * b, std::size_t bCount);

/** The automatic Theiler window: three AR(1) correlation times, w = ceil(3 / -ln(phi))
 * for the lag-1 autocorrelation phi (LagOneAutocorrelation, about the trend) of the more
 * autocorrelated series (the lag at which an AR(1) autocorrelation falls to e^-3 = 0.05);
 * 0 when phi <= 0. Capped so that every
 * sample keeps at least half of the series, and k, as candidates:
 * w <= min((T - 1) / 4, (T - 1 - k) / 2). */
unsigned int
AutomaticTheilerWindow(double lagOneAutocorrelation, std::size_t timePoints, unsigned int k);

/** A uniform number in [0, 1) that depends only on (voxel, series, time): the
 * dequantisation jitter, the same for any tiling, thread count or read path. */
double
DequantisationUniform(std::uint64_t voxel, unsigned int series, std::uint32_t time);

/** Replaces each value v_t by v_t + step * (u - 1/2), u = DequantisationUniform(voxel,
 * series, t): a quantised sample (an int16 scanner value, step = scl_slope) stands for
 * a value anywhere in its quantisation interval, and k-NN distances are never 0.
 * Re-sorts the samples. */
void
Dequantise(std::vector<TimedSample> & samples, double step, std::uint64_t voxel, unsigned int series);

/** Whether a value occurs twice in a sorted series. */
bool
HasTies(const std::vector<TimedSample> & sorted);

/** Whether a value occurs in both sorted series. */
bool
SharesValue(const std::vector<TimedSample> & a, const std::vector<TimedSample> & b);

/** The smallest positive difference between values of a sorted series (0 if all are
 * equal). */
double
SmallestGap(const std::vector<TimedSample> & sorted);

/** Histogram plug-in estimates on K equal-width bins shared by both samples, spanning
 * their pooled range; p_j = (c_j + alpha) / (n + K alpha), so no bin is empty. */
struct HistogramDivergences
{
  double       forward{ 0 }; ///< sum_j p_j ln(p_j / q_j): KL(p || q)
  double       reverse{ 0 }; ///< KL(q || p)
  unsigned int bins{ 0 };
};

/** Freedman-Diaconis bin count for the pooled sorted values: width h = 2 IQR N^(-1/3)
 * (IQR by linear interpolation, numpy's default; Scott's 3.49 sd N^(-1/3) when the IQR is
 * 0), K = ceil(range / h), at least 1 and at most N. */
unsigned int
FreedmanDiaconisBins(const std::vector<double> & pooledSorted);

/** bins = 0 chooses FreedmanDiaconisBins. p and q sorted by value, not both empty. */
HistogramDivergences
HistogramKL(const std::vector<TimedSample> & p,
            const std::vector<TimedSample> & q,
            unsigned int                     bins,
            double                           pseudocount);
HistogramDivergences
HistogramKL(SortedSeries p, SortedSeries q, unsigned int bins, double pseudocount);

} // namespace voxelkl

#endif
