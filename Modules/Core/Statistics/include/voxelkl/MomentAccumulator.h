// One-pass, mergeable central moments of a scalar sample (pure C++, no ITK).
#ifndef voxelkl_MomentAccumulator_h
#define voxelkl_MomentAccumulator_h

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace voxelkl
{

namespace detail
{
/** The sums only an order-4 accumulator keeps; empty for order 2 so that the per-voxel
 * state of a whole brain (two series, ~1e6 voxels) stays small. */
template <unsigned int Order>
struct HigherOrderState
{
  double m_M3{ 0.0 };
  double m_M4{ 0.0 };
  double m_Min{ std::numeric_limits<double>::infinity() };
  double m_Max{ -std::numeric_limits<double>::infinity() };
};
template <>
struct HigherOrderState<2>
{
};
} // namespace detail

/** Count, mean and central moment sums M2..M<Order> of a sample, plus min and max,
 * updated one value at a time (Welford 1962; Terriberry 2007; Pebay 2008) and merged
 * with Pebay's pairwise formulas.
 *
 * Every value is shifted by the first finite value pushed (the "shift") before it is
 * accumulated: a voxel's BOLD signal is ~1e3 with a spread of ~1e1, and the shift makes the
 * working values O(spread), so the update loses ~1 ulp instead of ~(mean/std) ulps.
 *
 * Min and max are kept by the order-4 accumulator only.
 *
 * Non-finite values (NaN, +-inf) are not accumulated; they are counted in Skipped().
 *
 * Order is 2 (mean and variance: enough for the Gaussian KL) or 4 (adds skewness and
 * kurtosis). The result of a sequence of Push() calls depends only on the values and their
 * order, never on where they came from: the filters push each voxel's time points in time
 * order, which is what makes results identical for any tiling and thread count. */
template <unsigned int Order>
class CentralMomentAccumulator : private detail::HigherOrderState<Order>
{
  static_assert(Order == 2 || Order == 4, "CentralMomentAccumulator supports orders 2 and 4");

public:
  static constexpr unsigned int MomentOrder = Order;

  void
  Push(double x)
  {
    if (!std::isfinite(x))
    {
      ++m_Skipped;
      return;
    }
    if (m_Count == 0.0)
    {
      m_Shift = x;
    }
    if constexpr (Order == 4)
    {
      this->m_Min = std::min(this->m_Min, x);
      this->m_Max = std::max(this->m_Max, x);
    }
    const double y = x - m_Shift; // exact when x is within a factor 2 of the shift (Sterbenz)
    m_Count += 1.0;
    const double n = m_Count;
    const double delta = y - m_ShiftedMean;
    // delta / n as delta times 1 / n, as the array kernels do: there one reciprocal serves
    // every voxel of a time point, and a division per voxel would bound their speed.
    const double deltaN = delta * (1.0 / n);
    const double term = delta * deltaN * (n - 1.0);
    if constexpr (Order == 4)
    {
      const double deltaN2 = deltaN * deltaN;
      this->m_M4 += term * deltaN2 * (n * n - 3.0 * n + 3.0) + 6.0 * deltaN2 * m_M2 - 4.0 * deltaN * this->m_M3;
      this->m_M3 += term * deltaN * (n - 2.0) - 3.0 * deltaN * m_M2;
    }
    m_M2 += term;
    m_ShiftedMean += deltaN;
  }

  /** An order-2 accumulator in a given state (see VarianceAccumulatorArray). */
  static CentralMomentAccumulator
  FromState(double count, double shift, double shiftedMean, double m2, std::uint64_t skipped)
  {
    static_assert(Order == 2, "FromState is for order-2 accumulators");
    CentralMomentAccumulator a;
    a.m_Count = count;
    a.m_Shift = shift;
    a.m_ShiftedMean = shiftedMean;
    a.m_M2 = m2;
    a.m_Skipped = skipped;
    return a;
  }

  /** How many numbers the state holds (RawFields). */
  static constexpr unsigned int RawFieldCount = Order == 2 ? 5 : 9;
  using RawState = std::array<double, RawFieldCount>;

  /** The whole state as numbers, to save it and restore it bit for bit (FromRawFields):
   * count, shift, shifted mean, M2, skipped and, for order 4, M3, M4, min, max. The
   * skipped count is exact as a double up to 2^53. */
  RawState
  RawFields() const
  {
    RawState f{};
    f[0] = m_Count;
    f[1] = m_Shift;
    f[2] = m_ShiftedMean;
    f[3] = m_M2;
    f[4] = static_cast<double>(m_Skipped);
    if constexpr (Order == 4)
    {
      f[5] = this->m_M3;
      f[6] = this->m_M4;
      f[7] = this->m_Min;
      f[8] = this->m_Max;
    }
    return f;
  }
  static CentralMomentAccumulator
  FromRawFields(const RawState & f)
  {
    CentralMomentAccumulator a;
    a.m_Count = f[0];
    a.m_Shift = f[1];
    a.m_ShiftedMean = f[2];
    a.m_M2 = f[3];
    a.m_Skipped = static_cast<std::uint64_t>(f[4]);
    if constexpr (Order == 4)
    {
      a.m_M3 = f[5];
      a.m_M4 = f[6];
      a.m_Min = f[7];
      a.m_Max = f[8];
    }
    return a;
  }

  /** Combines the sample of other into this one (Chan et al. 1979; Pebay 2008). Rounding
   * depends on the order of merges: callers fix that order by the data layout. */
  void
  Merge(const CentralMomentAccumulator & other)
  {
    m_Skipped += other.m_Skipped;
    if (other.m_Count == 0.0)
    {
      return;
    }
    if (m_Count == 0.0)
    {
      const std::uint64_t skipped = m_Skipped;
      *this = other;
      m_Skipped = skipped;
      return;
    }
    const double nA = m_Count;
    const double nB = other.m_Count;
    const double n = nA + nB;
    // Means of the two parts relative to this accumulator's shift.
    const double delta = (other.m_Shift - m_Shift) + (other.m_ShiftedMean - m_ShiftedMean);
    const double deltaN = delta / n;
    if constexpr (Order == 4)
    {
      const double d2 = delta * delta;
      this->m_M4 += other.m_M4 + d2 * d2 * nA * nB * (nA * nA - nA * nB + nB * nB) / (n * n * n) +
                    6.0 * d2 * (nA * nA * other.m_M2 + nB * nB * m_M2) / (n * n) +
                    4.0 * delta * (nA * other.m_M3 - nB * this->m_M3) / n;
      this->m_M3 +=
        other.m_M3 + d2 * delta * nA * nB * (nA - nB) / (n * n) + 3.0 * delta * (nA * other.m_M2 - nB * m_M2) / n;
      this->m_Min = std::min(this->m_Min, other.m_Min);
      this->m_Max = std::max(this->m_Max, other.m_Max);
    }
    m_M2 += other.m_M2 + delta * deltaN * nA * nB;
    m_ShiftedMean += deltaN * nB;
    m_Count = n;
  }

  /** Number of finite values accumulated. */
  double
  Count() const
  {
    return m_Count;
  }
  /** Number of non-finite values seen and skipped. */
  std::uint64_t
  Skipped() const
  {
    return m_Skipped;
  }
  /** Mean; 0 for an empty sample. */
  double
  Mean() const
  {
    return m_Count > 0.0 ? m_Shift + m_ShiftedMean : 0.0;
  }
  /** Sum of squared deviations from the mean. */
  double
  M2() const
  {
    return m_M2;
  }
  double
  M3() const
  {
    static_assert(Order == 4, "M3 needs an order-4 accumulator");
    return this->m_M3;
  }
  double
  M4() const
  {
    static_assert(Order == 4, "M4 needs an order-4 accumulator");
    return this->m_M4;
  }
  /** Maximum-likelihood variance M2 / n (numpy.var); 0 for fewer than 2 values. */
  double
  Variance() const
  {
    return m_Count > 1.0 ? std::max(m_M2, 0.0) / m_Count : 0.0;
  }
  double
  StandardDeviation() const
  {
    return std::sqrt(Variance());
  }
  /** Population skewness g1 = sqrt(n) M3 / M2^1.5 (scipy.stats.skew, bias=True).
   * 0 for a constant sample (scipy returns NaN there; we write a finite map). */
  double
  Skewness() const
  {
    if (m_M2 <= ConstantThreshold())
    {
      return 0.0;
    }
    return std::sqrt(m_Count) * M3() / (m_M2 * std::sqrt(m_M2));
  }
  /** Population excess kurtosis g2 = n M4 / M2^2 - 3 (scipy.stats.kurtosis, fisher=True,
   * bias=True). 0 for a constant sample. */
  double
  ExcessKurtosis() const
  {
    if (m_M2 <= ConstantThreshold())
    {
      return 0.0;
    }
    return m_Count * M4() / (m_M2 * m_M2) - 3.0;
  }
  /** Whether the finite values are all equal (or there are fewer than two). Exact: every
   * value of a constant sample equals the shift, so M2 stays exactly 0, and any difference
   * makes M2 > 0. */
  bool
  IsConstant() const
  {
    return m_Count < 2.0 || m_M2 == 0.0;
  }
  double
  Min() const
  {
    static_assert(Order == 4, "Min needs an order-4 accumulator");
    return m_Count > 0.0 ? this->m_Min : 0.0;
  }
  double
  Max() const
  {
    static_assert(Order == 4, "Max needs an order-4 accumulator");
    return m_Count > 0.0 ? this->m_Max : 0.0;
  }

private:
  // scipy treats m2 <= (1e-15 * mean)^2 as zero variance; we do the same in sums.
  double
  ConstantThreshold() const
  {
    const double scale = 1e-15 * Mean();
    return m_Count * scale * scale;
  }

  double        m_Count{ 0.0 }; // double: n^3 in the merge overflows 32-bit integers
  double        m_Shift{ 0.0 };
  double        m_ShiftedMean{ 0.0 };
  double        m_M2{ 0.0 };
  std::uint64_t m_Skipped{ 0 };
};

/** Mean and variance only: what the Gaussian KL needs, at half the work. */
using VarianceAccumulator = CentralMomentAccumulator<2>;
/** Up to the fourth moment: mean, variance, skewness, kurtosis. */
using MomentAccumulator = CentralMomentAccumulator<4>;

} // namespace voxelkl

#endif
