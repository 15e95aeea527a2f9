// The region time series of functional connectivity: each atlas region's mean of a series
// at every time point, accumulated volume by volume (pure C++).
//
// A region's sum at a time point is taken over fixed chunks of its voxel list (at most
// RegionChunkVoxels voxels each, in grid order), and the chunk sums of a region are added
// in chunk order. Which thread sums which chunk never changes a bit.
#ifndef voxelkl_RegionTimeSeries_h
#define voxelkl_RegionTimeSeries_h

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace voxelkl
{

/** Voxels per chunk of a region's voxel list: a constant, so that results never depend on
 * the number of threads. */
constexpr std::size_t RegionChunkVoxels = 16384;

/** The voxels of each region (the mask's voxels with the region's label), in grid order,
 * and the fixed chunks in which their sums are taken. */
class RegionVoxels
{
public:
  /** A piece of one region's voxel list: positions [begin, end) of Voxels(region). */
  struct Chunk
  {
    std::size_t region{ 0 };
    std::size_t begin{ 0 };
    std::size_t end{ 0 };
  };

  RegionVoxels() = default;
  /** labels: one per grid voxel, x fastest, 0 = background; inside: the mask's flags
   * (nonzero = inside; empty = every voxel); regionLabels: the regions, ascending and
   * distinct (e.g. every label of the atlas file, also those without a voxel here). Voxels
   * whose label is not among regionLabels belong to no region. chunkVoxels > 0. */
  RegionVoxels(const std::int32_t *               labels,
               std::size_t                        gridVoxels,
               const std::vector<unsigned char> & inside,
               std::vector<std::int32_t>          regionLabels,
               std::size_t                        chunkVoxels = RegionChunkVoxels);

  std::size_t
  RegionCount() const
  {
    return m_Labels.size();
  }
  std::size_t
  GridVoxels() const
  {
    return m_GridVoxels;
  }
  std::int32_t
  Label(std::size_t region) const
  {
    return m_Labels[region];
  }
  const std::vector<std::int32_t> &
  Labels() const
  {
    return m_Labels;
  }
  /** The region's voxels (inside the mask). */
  std::size_t
  VoxelCount(std::size_t region) const
  {
    return m_Offsets[region + 1] - m_Offsets[region];
  }
  /** Grid indices of the region's voxels, ascending (VoxelCount of them). */
  const std::size_t *
  Voxels(std::size_t region) const
  {
    return m_Voxels.data() + m_Offsets[region];
  }
  /** Every region's chunks, region after region, each region's in list order; a region
   * without voxels has none. */
  const std::vector<Chunk> &
  Chunks() const
  {
    return m_Chunks;
  }
  /** Voxels that belong to a region. */
  std::size_t
  LabelledVoxels() const
  {
    return m_Voxels.size();
  }

private:
  std::size_t               m_GridVoxels{ 0 };
  std::vector<std::int32_t> m_Labels;
  std::vector<std::size_t>  m_Offsets{ 0 };
  std::vector<std::size_t>  m_Voxels;
  std::vector<Chunk>        m_Chunks;
};

/** The finite values of some voxels of one volume: their sum and how many there are. */
struct RegionSum
{
  double        sum{ 0.0 };
  std::uint64_t finite{ 0 };
};

/** Sums the finite values volume[voxels[i]], i < count, in four interleaved partial sums
 * (position i into sum i % 4) added as (s0 + s1) + (s2 + s3): a fixed order. NaN and inf
 * are skipped. */
template <typename T>
RegionSum
SumVoxels(const T * volume, const std::size_t * voxels, std::size_t count)
{
  double        s[4] = { 0.0, 0.0, 0.0, 0.0 };
  std::uint64_t n[4] = { 0, 0, 0, 0 };
  std::size_t   i = 0;
  for (; i + 4 <= count; i += 4)
  {
    for (std::size_t lane = 0; lane < 4; ++lane)
    {
      const double value = static_cast<double>(volume[voxels[i + lane]]);
      const bool   finite = std::isfinite(value);
      s[lane] += finite ? value : 0.0;
      n[lane] += finite ? 1u : 0u;
    }
  }
  for (std::size_t lane = 0; i < count; ++i, ++lane)
  {
    const double value = static_cast<double>(volume[voxels[i]]);
    const bool   finite = std::isfinite(value);
    s[lane] += finite ? value : 0.0;
    n[lane] += finite ? 1u : 0u;
  }
  return { (s[0] + s[1]) + (s[2] + s[3]), (n[0] + n[1]) + (n[2] + n[3]) };
}

/** One series' region time series: the sum and the count of the finite values of each
 * region at each time point (T x R). */
class RegionTimeSeries
{
public:
  RegionTimeSeries() = default;
  RegionTimeSeries(std::size_t regions, std::size_t timePoints);

  std::size_t
  RegionCount() const
  {
    return m_Regions;
  }
  std::size_t
  TimePoints() const
  {
    return m_TimePoints;
  }
  /** Sets time point t from the chunk sums of one volume, one per chunk of
   * regions.Chunks() in that order: each region's chunks added in chunk order. */
  void
  SetTimePoint(std::size_t t, const RegionVoxels & regions, const RegionSum * chunkSums);

  /** Sets time point t from a whole volume (grid order, regions.GridVoxels() values),
   * chunk by chunk on this thread: the bits of SetTimePoint with SumVoxels per chunk. */
  template <typename T>
  void
  AddVolume(std::size_t t, const RegionVoxels & regions, const T * volume)
  {
    std::vector<RegionSum> sums(regions.Chunks().size());
    for (std::size_t c = 0; c < sums.size(); ++c)
    {
      const RegionVoxels::Chunk & chunk = regions.Chunks()[c];
      sums[c] = SumVoxels(volume, regions.Voxels(chunk.region) + chunk.begin, chunk.end - chunk.begin);
    }
    SetTimePoint(t, regions, sums.data());
  }

  double
  Sum(std::size_t t, std::size_t region) const
  {
    return m_Sums[t * m_Regions + region];
  }
  /** Finite values of the region at t. */
  std::uint64_t
  Count(std::size_t t, std::size_t region) const
  {
    return m_Counts[t * m_Regions + region];
  }
  /** The region's mean at t over its finite values: NaN when there is none (or the sum is
   * not finite, values beyond the range of double). */
  double
  Mean(std::size_t t, std::size_t region) const
  {
    const std::uint64_t count = Count(t, region);
    const double        mean = count > 0 ? Sum(t, region) / static_cast<double>(count) : NAN;
    return std::isfinite(mean) ? mean : NAN;
  }

private:
  std::size_t                m_Regions{ 0 };
  std::size_t                m_TimePoints{ 0 };
  std::vector<double>        m_Sums;
  std::vector<std::uint64_t> m_Counts;
};

} // namespace voxelkl

#endif
