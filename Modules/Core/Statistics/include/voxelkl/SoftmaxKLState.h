// The spatial (softmax) KL divergence of one pair of volumes, accumulated in one pass over
// their voxels with an online log-sum-exp state that merges (pure C++, no ITK).
#ifndef voxelkl_SoftmaxKLState_h
#define voxelkl_SoftmaxKLState_h

#include "voxelkl/GaussianKL.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace voxelkl
{

/** KL divergences between P_gen = softmax(a) and P_ref = softmax(b), a the generated and b
 * the reference logits of the same voxels, as torch.distributions.kl_divergence of two
 * Categorical(logits=...) computes them (MindAligner's loss term: Reverse).
 *
 * The state of the statistics notes (section 3), kept per side so that it stays accurate
 * where a softmax is nearly one-hot and where the logits carry large offsets:
 *
 *   m_a = max a_i,  s_a = sum_i e^(a_i - m_a) = 1 + r_a,
 *   w_a = sum_i e^(a_i - m_a) ((a_i - m_a) - (b_i - m_b)),   (and m_b, r_b, w_b swapped)
 *
 *   KL(P_gen || P_ref) = w_a / s_a + log1p((r_b - r_a) / s_a).
 *
 * - The sum is kept as r = s - 1 (the maximum's own term left out): ln(s_b / s_a) stays
 *   accurate when both softmaxes are nearly one-hot (s = 1 + 1e-18 is 1 in double).
 * - The log-ratio is taken relative to the maxima, not as a_i - b_i: large offsets of the
 *   logits (raw intensities ~1e3) cancel voxel by voxel, exactly, instead of in the sum.
 * - Sums within one Add/AddLogits call are compensated (Neumaier), so that a chunk of
 *   thousands of voxels adds ~1 rounding error, not ~sqrt(n).
 * - Merging rescales both states to the common maxima (online softmax, Milakov &
 *   Gimelshein 2018).
 *
 * Guards, as the notes ask:
 * - a pair with a NaN or a +inf is skipped (counted in Skipped()): no softmax has a +inf
 *   logit;
 * - a_i = -inf is a probability of 0 in P_gen: it adds nothing to the generated side, and
 *   makes KL(P_ref || P_gen) infinite where b_i is finite (and the other way round);
 * - a side with no finite logit has no distribution: the divergences are then NaN.
 * Results are clamped at 0 (rounding can make a divergence of ~0 slightly negative).
 *
 * Rounding depends on the order of Add, AddLogits and Merge calls: callers that want the
 * same bits for any thread count fix that order by the data (fixed chunks of voxels, each
 * by FromLogits, merged in chunk order). */
class SoftmaxKLState
{
public:
  /** One voxel: generated logit a, reference logit b (Merge(FromLogits(&a, &b, 1))). */
  void
  Add(double generated, double reference)
  {
    Merge(FromLogits(&generated, &reference, 1));
  }

  /** count voxels at once: the maxima first, then the sums with no rescaling. Equivalent to
   * Merge(FromLogits(...)). */
  void
  AddLogits(const double * generated, const double * reference, std::size_t count);

  /** The state of count voxels. */
  static SoftmaxKLState
  FromLogits(const double * generated, const double * reference, std::size_t count);

  /** Combines the voxels of other into this state. */
  void
  Merge(const SoftmaxKLState & other);

  /** KL(P_gen || P_ref), MindAligner's order (KLDirection::Reverse). */
  double
  Reverse() const;
  /** KL(P_ref || P_gen) (KLDirection::Forward). */
  double
  Forward() const;
  /** Reverse + Forward (Jeffreys), computed as w_a / s_a + w_b / s_b: the logarithms cancel. */
  double
  Symmetric() const;
  double
  Divergence(KLDirection direction) const;

  /** log-sum-exp of the generated and of the reference logits; -inf for an empty side. */
  double
  GeneratedLogSumExp() const
  {
    return m_Generated.max + std::log1p(m_Generated.Rest());
  }
  double
  ReferenceLogSumExp() const
  {
    return m_Reference.max + std::log1p(m_Reference.Rest());
  }

  /** Pairs accumulated (a -inf logit counts) and pairs skipped (NaN or +inf). */
  std::uint64_t
  Count() const
  {
    return m_Count;
  }
  std::uint64_t
  Skipped() const
  {
    return m_Skipped;
  }

private:
  struct Side
  {
    double max{ -std::numeric_limits<double>::infinity() }; ///< -inf: no finite logit yet
    double rest{ 0.0 };                                     ///< sum of e^(x_i - max) without one voxel at the maximum
    double restError{ 0.0 };                                ///< its compensation
    double weighted{ 0.0 };                                 ///< w
    double weightedError{ 0.0 };                            ///< its compensation
    /** A voxel with probability > 0 on this side and 0 on the other: infinite KL. Then the
     * weighted sum lacks that voxel's (infinite) term and is no longer used. */
    bool infinite{ false };

    bool
    Empty() const
    {
      return max == -std::numeric_limits<double>::infinity();
    }
    double
    Rest() const
    {
      return rest + restError;
    }
    double
    Weighted() const
    {
      return weighted + weightedError;
    }
  };

  static bool
  Skip(double generated, double reference)
  {
    return std::isnan(generated) || std::isnan(reference) || generated == std::numeric_limits<double>::infinity() ||
           reference == std::numeric_limits<double>::infinity();
  }

  static void
  MergeSide(Side &       into,
            double       intoOwnShift,
            double       intoOtherShift,
            const Side & add,
            double       addOwnShift,
            double       addOtherShift);

  static double
  Divergence(const Side & from, const Side & to);

  Side          m_Generated;
  Side          m_Reference;
  std::uint64_t m_Count{ 0 };
  std::uint64_t m_Skipped{ 0 };
};

} // namespace voxelkl

#endif
