// The voxel-wise comparison of a reference and a generated series: the Gaussian KL, the
// fidelity maps and, for the k-NN and histogram estimators, the non-parametric KL. The one
// place where their values are written into maps.
#ifndef voxelkl_ComparisonMeasure_h
#define voxelkl_ComparisonMeasure_h

#include "voxelkl/MeasureState.h"
#include "voxelkl/NonparametricVoxelKL.h"
#include "voxelkl/PairedMoments.h"
#include "voxelkl/SeriesComparisonArray.h"
#include "voxelkl/VarianceAccumulatorArray.h"
#include "voxelkl/VoxelDivergence.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace voxelkl
{

/** What decides the values of a comparison, besides the data. */
struct ComparisonSettings
{
  KLDirection   direction{ KLDirection::Forward };
  VarianceFloor floor{};
  /** Also accumulate the pairs (MSE, correlation, pair counts): the series must then have
   * the same length and are paired by index. */
  bool   paired{ false };
  double undefinedCorrelation{ 0.0 }; ///< the correlation written where a series is constant
};

/** Where the maps of a run of voxels go: pointers at the run's first voxel, one per named
 * map; a null pointer is a map nobody asked for. TMap is the pixel type of the float maps
 * (float for the executables, any floating type for the ITK filters). */
template <typename TMap>
struct ComparisonRow
{
  TMap *          kl{ nullptr };
  unsigned char * status{ nullptr }; ///< VoxelStatus
  std::uint32_t * nonFiniteSamples{ nullptr };
  TMap *          meanDifference{ nullptr };
  TMap *          varianceLogRatio{ nullptr };
  TMap *          meanSquaredError{ nullptr };
  TMap *          correlation{ nullptr };
  std::uint32_t * pairCount{ nullptr };
  std::uint16_t * theilerWindow{ nullptr }; ///< k-NN only
  TMap *          referenceMean{ nullptr }; ///< the reference series' mean over time (a report's underlay)

  /** The same maps, n voxels further. */
  ComparisonRow
  Advanced(std::size_t n) const
  {
    auto advance = [n](auto * pointer) { return pointer != nullptr ? pointer + n : nullptr; };
    return { advance(kl),
             advance(status),
             advance(nonFiniteSamples),
             advance(meanDifference),
             advance(varianceLogRatio),
             advance(meanSquaredError),
             advance(correlation),
             advance(pairCount),
             advance(theilerWindow),
             advance(referenceMean) };
  }
};

namespace detail
{
template <typename TPointer, typename TValue>
void
SetIfAsked(TPointer * map, std::size_t i, TValue value)
{
  if (map != nullptr)
  {
    map[i] = static_cast<TPointer>(value);
  }
}
} // namespace detail

/** Voxel i of a row outside the mask: 0 in every map, status OutsideMask. */
template <typename TMap>
void
FinishOutsideVoxel(const ComparisonRow<TMap> & out, std::size_t i)
{
  out.kl[i] = 0;
  out.status[i] = static_cast<unsigned char>(VoxelStatus::OutsideMask);
  detail::SetIfAsked(out.nonFiniteSamples, i, 0);
  for (TMap * map :
       { out.meanDifference, out.varianceLogRatio, out.meanSquaredError, out.correlation, out.referenceMean })
  {
    detail::SetIfAsked(map, i, 0);
  }
  detail::SetIfAsked(out.pairCount, i, 0);
}

/** Voxel i from the accumulators of its two series (and of their pairs): the Gaussian KL
 * and its status, the non-finite samples skipped, and every fidelity map asked for. */
template <typename TMap>
void
FinishGaussianVoxel(const ComparisonRow<TMap> & out,
                    std::size_t                 i,
                    const ComparisonSettings &  settings,
                    const VarianceAccumulator & reference,
                    const VarianceAccumulator & generated,
                    const PairedMoments &       pairs)
{
  const VoxelDivergence result = GaussianVoxelDivergence(reference, generated, settings.direction, settings.floor);
  out.kl[i] = static_cast<TMap>(result.value);
  out.status[i] = static_cast<unsigned char>(result.status);
  detail::SetIfAsked(out.nonFiniteSamples, i, static_cast<std::uint32_t>(reference.Skipped() + generated.Skipped()));
  detail::SetIfAsked(out.meanDifference, i, generated.Mean() - reference.Mean());
  detail::SetIfAsked(out.referenceMean, i, reference.Mean());
  if (out.varianceLogRatio != nullptr)
  {
    out.varianceLogRatio[i] = static_cast<TMap>(VarianceLogRatio(reference, generated, settings.floor));
  }
  if (out.meanSquaredError != nullptr)
  {
    out.meanSquaredError[i] = static_cast<TMap>(pairs.MeanSquaredError());
  }
  if (out.correlation != nullptr)
  {
    out.correlation[i] = static_cast<TMap>(pairs.Correlation(settings.undefinedCorrelation));
  }
  detail::SetIfAsked(out.pairCount, i, static_cast<std::uint32_t>(pairs.count));
}

/** Replaces the Gaussian KL of voxel i by the non-parametric estimate where the Gaussian
 * status is Valid (elsewhere a series is constant or empty: no density exists, and the
 * Gaussian treatment stays). Each series is value t at first[t * stride]; step: its
 * quantisation step (0 for continuous data); voxel: the index in the whole grid, which
 * seeds the dequantisation jitter so that tiles and threads do not change the result. */
template <typename T, typename TMap>
void
FinishNonparametricVoxel(const ComparisonRow<TMap> & out,
                         std::size_t                 i,
                         NonparametricVoxelKL &      estimator,
                         KLDirection                 direction,
                         std::uint64_t               voxel,
                         const T *                   reference,
                         std::ptrdiff_t              referenceStride,
                         std::size_t                 referenceLength,
                         double                      referenceStep,
                         const T *                   generated,
                         std::ptrdiff_t              generatedStride,
                         std::size_t                 generatedLength,
                         double                      generatedStep)
{
  if (out.status[i] != static_cast<unsigned char>(VoxelStatus::Valid))
  {
    return;
  }
  estimator.Load(0, reference, referenceStride, referenceLength, referenceStep);
  estimator.Load(1, generated, generatedStride, generatedLength, generatedStep);
  const NonparametricVoxelResult result = estimator.Estimate(direction, voxel);
  out.kl[i] = result.enough ? static_cast<TMap>(result.value) : TMap(0);
  if (!result.enough)
  {
    out.status[i] = static_cast<unsigned char>(VoxelStatus::NoSamples);
  }
  detail::SetIfAsked(out.theilerWindow, i, std::min(result.window, 65535u));
}

/** The Gaussian comparison of a run of voxels, time point by time point: each series'
 * order-2 moments, and with paired maps the pairs' co-moment (Pebay), in the vectorised
 * arrays. Every voxel sees its values in time order through the same kernels wherever
 * the values come from, so every read path and tiling gives the same bits. */
class GaussianComparison
{
public:
  GaussianComparison(const ComparisonSettings & settings, std::size_t voxels)
    : m_Settings(settings)
    , m_Reference(settings.paired ? 0 : voxels)
    , m_Generated(settings.paired ? 0 : voxels)
    , m_Pairs(settings.paired ? voxels : 0)
  {
  }

  /** Starts over with `voxels` voxels and no time point, keeping the memory of the arrays:
   * a tile traversal keeps one comparison per thread rather than allocate one per tile. */
  void
  Reset(std::size_t voxels)
  {
    m_Reference.Resize(m_Settings.paired ? 0 : voxels);
    m_Generated.Resize(m_Settings.paired ? 0 : voxels);
    m_Pairs.Reset(m_Settings.paired ? voxels : 0);
  }

  /** Adds one time point to voxels [first, first + count). A null series pointer: that
   * series has no such time point (unpaired series of different lengths). inside: null
   * (all) or one flag per voxel of the run. */
  template <typename T>
  void
  PushTimePoint(std::size_t           first,
                std::size_t           count,
                const T *             reference,
                const T *             generated,
                const unsigned char * inside)
  {
    if (m_Settings.paired) // the lengths are equal: checked before
    {
      m_Pairs.PushTimePoint(first, count, reference, generated, inside);
      return;
    }
    if (reference != nullptr)
    {
      m_Reference.PushTimePoint(first, count, reference, inside);
    }
    if (generated != nullptr)
    {
      m_Generated.PushTimePoint(first, count, generated, inside);
    }
  }

  /** Adds consecutive time points to voxels [first, first + count): time point s of the
   * reference at reference + s * referenceStride (s < referenceSteps), likewise for the
   * generated series. The same bits as PushTimePoint for each time point in turn (paired
   * series take them in turn; unpaired series keep each voxel's state in registers). */
  template <typename T>
  void
  PushTimePoints(std::size_t           first,
                 std::size_t           count,
                 const T *             reference,
                 std::ptrdiff_t        referenceStride,
                 std::size_t           referenceSteps,
                 const T *             generated,
                 std::ptrdiff_t        generatedStride,
                 std::size_t           generatedSteps,
                 const unsigned char * inside)
  {
    if (m_Settings.paired) // the lengths are equal: checked before
    {
      if (referenceSteps == generatedSteps && referenceStride == generatedStride)
      {
        m_Pairs.PushTimePoints(first, count, reference, generated, referenceStride, referenceSteps, inside);
        return;
      }
      for (std::size_t s = 0; s < std::max(referenceSteps, generatedSteps); ++s)
      {
        const auto step = static_cast<std::ptrdiff_t>(s);
        m_Pairs.PushTimePoint(first,
                              count,
                              s < referenceSteps ? reference + step * referenceStride : nullptr,
                              s < generatedSteps ? generated + step * generatedStride : nullptr,
                              inside);
      }
      return;
    }
    if (referenceSteps > 0)
    {
      m_Reference.PushTimePoints(first, count, reference, referenceStride, referenceSteps, inside);
    }
    if (generatedSteps > 0)
    {
      m_Generated.PushTimePoints(first, count, generated, generatedStride, generatedSteps, inside);
    }
  }

  /** Writes voxels [first, first + count) of the state into out (at the run's first
   * voxel). */
  template <typename TMap>
  void
  Finish(std::size_t first, std::size_t count, const unsigned char * inside, const ComparisonRow<TMap> & out) const
  {
    for (std::size_t i = 0; i < count; ++i)
    {
      const std::size_t v = first + i;
      if (inside != nullptr && inside[i] == 0)
      {
        FinishOutsideVoxel(out, i);
      }
      else if (m_Settings.paired)
      {
        FinishGaussianVoxel(out, i, m_Settings, m_Pairs.Reference(v), m_Pairs.Generated(v), m_Pairs.Pairs(v));
      }
      else
      {
        FinishGaussianVoxel(out, i, m_Settings, m_Reference.Get(v), m_Generated.Get(v), PairedMoments{});
      }
    }
  }

  const ComparisonSettings &
  Settings() const
  {
    return m_Settings;
  }

  /** The kind of state this comparison saves. */
  StateKind
  Kind() const
  {
    return m_Settings.paired ? StateKind::PairedComparison : StateKind::Comparison;
  }

  /** Copies the accumulators of voxels [first, first + count) into voxels [at, at + count)
   * of state (of this comparison's Kind()). */
  void
  ExportState(std::size_t first, std::size_t count, MeasureState & state, std::size_t at) const
  {
    for (std::size_t i = 0; i < count; ++i)
    {
      const std::size_t v = first + i;
      if (m_Settings.paired)
      {
        CoMomentState pairs;
        m_Pairs.RawPairs(v, pairs);
        state.SetSeries(at + i, 0, m_Pairs.Reference(v));
        state.SetSeries(at + i, 1, m_Pairs.Generated(v));
        state.SetPairs(at + i, pairs);
      }
      else
      {
        state.SetSeries(at + i, 0, m_Reference.Get(v));
        state.SetSeries(at + i, 1, m_Generated.Get(v));
      }
    }
  }

  /** A comparison of state.Voxels() voxels whose accumulators are a saved (or merged)
   * state: Finish then writes the maps as if its time points had been pushed. A paired
   * state serves unpaired settings; paired settings need a paired state. */
  static GaussianComparison
  FromState(const ComparisonSettings & settings, const MeasureState & state)
  {
    if (settings.paired && state.Kind() != StateKind::PairedComparison)
    {
      throw std::invalid_argument("GaussianComparison::FromState: paired maps need a paired state");
    }
    GaussianComparison comparison(settings, state.Voxels());
    for (std::size_t v = 0; v < state.Voxels(); ++v)
    {
      if (settings.paired)
      {
        CoMomentState pairs;
        state.PairsAt(v, pairs);
        comparison.m_Pairs.Restore(v, state.SeriesAt(v, 0), state.SeriesAt(v, 1), pairs);
      }
      else
      {
        comparison.m_Reference.Set(v, state.SeriesAt(v, 0));
        comparison.m_Generated.Set(v, state.SeriesAt(v, 1));
      }
    }
    return comparison;
  }

private:
  ComparisonSettings       m_Settings;
  VarianceAccumulatorArray m_Reference;
  VarianceAccumulatorArray m_Generated;
  SeriesComparisonArray    m_Pairs;
};

} // namespace voxelkl

#endif
