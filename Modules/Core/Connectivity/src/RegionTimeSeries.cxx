#include "voxelkl/RegionTimeSeries.h"

#include <algorithm>
#include <stdexcept>

namespace voxelkl
{

RegionVoxels::RegionVoxels(const std::int32_t *               labels,
                           std::size_t                        gridVoxels,
                           const std::vector<unsigned char> & inside,
                           std::vector<std::int32_t>          regionLabels,
                           std::size_t                        chunkVoxels)
  : m_GridVoxels(gridVoxels)
  , m_Labels(std::move(regionLabels))
{
  if (chunkVoxels == 0)
  {
    throw std::invalid_argument("RegionVoxels: chunks need at least one voxel");
  }
  if (!inside.empty() && inside.size() != gridVoxels)
  {
    throw std::invalid_argument("RegionVoxels: the mask is not on the labels' grid");
  }
  if (!std::is_sorted(m_Labels.begin(), m_Labels.end()) ||
      std::adjacent_find(m_Labels.begin(), m_Labels.end()) != m_Labels.end())
  {
    throw std::invalid_argument("RegionVoxels: region labels must be ascending and distinct");
  }
  // Region of each voxel (counting sort by region, grid order kept within a region).
  constexpr std::size_t    none = static_cast<std::size_t>(-1);
  std::vector<std::size_t> regionOf(gridVoxels, none);
  std::vector<std::size_t> counts(m_Labels.size(), 0);
  std::int32_t             previousLabel = 0;
  std::size_t              previousRegion = none;
  for (std::size_t v = 0; v < gridVoxels; ++v)
  {
    if (labels[v] == 0 || (!inside.empty() && inside[v] == 0))
    {
      continue;
    }
    if (labels[v] != previousLabel || previousRegion == none)
    {
      const auto where = std::lower_bound(m_Labels.begin(), m_Labels.end(), labels[v]);
      previousLabel = labels[v];
      previousRegion =
        where != m_Labels.end() && *where == labels[v] ? static_cast<std::size_t>(where - m_Labels.begin()) : none;
      if (previousRegion == none)
      {
        previousLabel = 0; // look it up again next time
        continue;
      }
    }
    regionOf[v] = previousRegion;
    ++counts[previousRegion];
  }
  m_Offsets.assign(m_Labels.size() + 1, 0);
  for (std::size_t r = 0; r < m_Labels.size(); ++r)
  {
    m_Offsets[r + 1] = m_Offsets[r] + counts[r];
  }
  m_Voxels.resize(m_Offsets.back());
  std::vector<std::size_t> next(m_Offsets.begin(), m_Offsets.end() - 1);
  for (std::size_t v = 0; v < gridVoxels; ++v)
  {
    if (regionOf[v] != none)
    {
      m_Voxels[next[regionOf[v]]++] = v;
    }
  }
  for (std::size_t r = 0; r < m_Labels.size(); ++r)
  {
    for (std::size_t begin = 0; begin < counts[r]; begin += chunkVoxels)
    {
      m_Chunks.push_back({ r, begin, std::min(counts[r], begin + chunkVoxels) });
    }
  }
}

RegionTimeSeries::RegionTimeSeries(std::size_t regions, std::size_t timePoints)
  : m_Regions(regions)
  , m_TimePoints(timePoints)
  , m_Sums(regions * timePoints, 0.0)
  , m_Counts(regions * timePoints, 0)
{
}

void
RegionTimeSeries::SetTimePoint(std::size_t t, const RegionVoxels & regions, const RegionSum * chunkSums)
{
  if (t >= m_TimePoints || regions.RegionCount() != m_Regions)
  {
    throw std::out_of_range("RegionTimeSeries: time point or regions out of range");
  }
  double *        sums = m_Sums.data() + t * m_Regions;
  std::uint64_t * counts = m_Counts.data() + t * m_Regions;
  std::fill(sums, sums + m_Regions, 0.0);
  std::fill(counts, counts + m_Regions, 0);
  const auto & chunks = regions.Chunks();
  for (std::size_t c = 0; c < chunks.size(); ++c)
  {
    sums[chunks[c].region] += chunkSums[c].sum;
    counts[chunks[c].region] += chunkSums[c].finite;
  }
}

} // namespace voxelkl
