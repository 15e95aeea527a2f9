#include "voxelkl/SoftmaxKLState.h"

#include <algorithm>

namespace voxelkl
{
namespace
{
constexpr double NegativeInfinity = -std::numeric_limits<double>::infinity();

// sum + error += value, Neumaier's compensated summation.
inline void
CompensatedAdd(double & sum, double & error, double value)
{
  const double total = sum + value;
  if (std::fabs(sum) >= std::fabs(value))
  {
    error += (sum - total) + value;
  }
  else
  {
    error += (value - total) + sum;
  }
  sum = total;
}
} // namespace

SoftmaxKLState
SoftmaxKLState::FromLogits(const double * generated, const double * reference, std::size_t count)
{
  SoftmaxKLState state;
  Side &         g = state.m_Generated;
  Side &         r = state.m_Reference;
  for (std::size_t i = 0; i < count; ++i)
  {
    if (Skip(generated[i], reference[i]))
    {
      ++state.m_Skipped;
      continue;
    }
    ++state.m_Count;
    g.max = std::max(g.max, generated[i]);
    r.max = std::max(r.max, reference[i]);
  }
  // The first voxel at each maximum is the "1" of s = 1 + rest.
  bool generatedMaxTaken = false;
  bool referenceMaxTaken = false;
  for (std::size_t i = 0; i < count; ++i)
  {
    const double a = generated[i];
    const double b = reference[i];
    if (Skip(a, b))
    {
      continue;
    }
    const double da = a - g.max; // -inf for a -inf logit
    const double db = b - r.max;
    if (a != NegativeInfinity)
    {
      const double e = std::exp(da);
      if (!generatedMaxTaken && a == g.max)
      {
        generatedMaxTaken = true;
      }
      else
      {
        CompensatedAdd(g.rest, g.restError, e);
      }
      if (b == NegativeInfinity)
      {
        g.infinite = true;
      }
      else
      {
        CompensatedAdd(g.weighted, g.weightedError, e * (da - db));
      }
    }
    if (b != NegativeInfinity)
    {
      const double e = std::exp(db);
      if (!referenceMaxTaken && b == r.max)
      {
        referenceMaxTaken = true;
      }
      else
      {
        CompensatedAdd(r.rest, r.restError, e);
      }
      if (a == NegativeInfinity)
      {
        r.infinite = true;
      }
      else
      {
        CompensatedAdd(r.weighted, r.weightedError, e * (db - da));
      }
    }
  }
  return state;
}

void
SoftmaxKLState::AddLogits(const double * generated, const double * reference, std::size_t count)
{
  Merge(FromLogits(generated, reference, count));
}

// Rescaled to the common maxima m' (own shift = m' - m of this side, other shift = the
// other side's), each term e^(x_i - m) ((x_i - m) - (y_i - m_y)) of a side becomes
// e^(x_i - m') ((x_i - m') - (y_i - m_y')): the sums scale by e^(-own shift) and every
// log-ratio moves by (other shift - own shift).
void
SoftmaxKLState::MergeSide(Side &       into,
                          double       intoOwnShift,
                          double       intoOtherShift,
                          const Side & add,
                          double       addOwnShift,
                          double       addOtherShift)
{
  // A side that is not empty and not infinite has only voxels with a finite logit on the
  // other side too, so its other shift is finite wherever it is used.
  auto weighted = [](const Side & side, double own, double other) {
    if (side.Empty() || side.infinite)
    {
      return 0.0;
    }
    if (own == 0.0 && other == 0.0)
    {
      return side.Weighted();
    }
    const double factor = own == 0.0 ? 1.0 : std::exp(-own);
    return factor * (side.Weighted() + (1.0 + side.Rest()) * (other - own));
  };
  const double w = weighted(into, intoOwnShift, intoOtherShift) + weighted(add, addOwnShift, addOtherShift);
  double       rest = 0.0;
  double       max = into.max;
  if (add.Empty())
  {
    rest = into.Rest();
  }
  else if (into.Empty())
  {
    rest = add.Rest();
    max = add.max;
  }
  else if (intoOwnShift == 0.0 && addOwnShift == 0.0) // the same maximum: one of them is the "1"
  {
    rest = into.Rest() + (1.0 + add.Rest());
  }
  else if (intoOwnShift == 0.0)
  {
    rest = into.Rest() + (1.0 + add.Rest()) * std::exp(-addOwnShift);
  }
  else
  {
    rest = add.Rest() + (1.0 + into.Rest()) * std::exp(-intoOwnShift);
    max = add.max;
  }
  into.max = max;
  into.rest = rest;
  into.restError = 0.0;
  into.weighted = w;
  into.weightedError = 0.0;
  into.infinite = into.infinite || add.infinite;
}

void
SoftmaxKLState::Merge(const SoftmaxKLState & other)
{
  m_Skipped += other.m_Skipped;
  if (other.m_Count == 0)
  {
    return;
  }
  if (m_Count == 0)
  {
    const std::uint64_t skipped = m_Skipped;
    *this = other;
    m_Skipped = skipped;
    return;
  }
  const double generatedMax = std::max(m_Generated.max, other.m_Generated.max);
  const double referenceMax = std::max(m_Reference.max, other.m_Reference.max);
  // Shifts of the maxima (0 for an empty side, which has nothing to rescale).
  auto         shift = [](const Side & side, double max) { return side.Empty() ? 0.0 : max - side.max; };
  const double thisGenerated = shift(m_Generated, generatedMax);
  const double thisReference = shift(m_Reference, referenceMax);
  const double otherGenerated = shift(other.m_Generated, generatedMax);
  const double otherReference = shift(other.m_Reference, referenceMax);
  MergeSide(m_Generated, thisGenerated, thisReference, other.m_Generated, otherGenerated, otherReference);
  MergeSide(m_Reference, thisReference, thisGenerated, other.m_Reference, otherReference, otherGenerated);
  m_Count += other.m_Count;
}

double
SoftmaxKLState::Divergence(const Side & from, const Side & to)
{
  if (from.Empty() || to.Empty())
  {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (from.infinite)
  {
    return std::numeric_limits<double>::infinity();
  }
  // sum_i p_i (log p_i - log q_i) with log p_i = (a_i - m_a) - ln s_a, log q_i = (b_i - m_b) - ln s_b;
  // ln(s_b / s_a) = log1p((r_b - r_a) / s_a), accurate also when both sums are ~1.
  const double fromRest = from.Rest();
  const double fromSum = 1.0 + fromRest;
  const double value = from.Weighted() / fromSum + std::log1p((to.Rest() - fromRest) / fromSum);
  return value > 0.0 ? value : 0.0;
}

double
SoftmaxKLState::Reverse() const
{
  return Divergence(m_Generated, m_Reference);
}

double
SoftmaxKLState::Forward() const
{
  return Divergence(m_Reference, m_Generated);
}

double
SoftmaxKLState::Symmetric() const
{
  if (m_Generated.Empty() || m_Reference.Empty())
  {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (m_Generated.infinite || m_Reference.infinite)
  {
    return std::numeric_limits<double>::infinity();
  }
  const double value =
    m_Generated.Weighted() / (1.0 + m_Generated.Rest()) + m_Reference.Weighted() / (1.0 + m_Reference.Rest());
  return value > 0.0 ? value : 0.0;
}

double
SoftmaxKLState::Divergence(KLDirection direction) const
{
  switch (direction)
  {
    case KLDirection::Forward:
      return Forward();
    case KLDirection::Reverse:
      return Reverse();
    case KLDirection::Symmetric:
      break;
  }
  return Symmetric();
}

} // namespace voxelkl
