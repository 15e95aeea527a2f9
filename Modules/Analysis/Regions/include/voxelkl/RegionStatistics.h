// Per-region summaries of 3D maps: for each atlas label, the distribution of each map's
// values over the label's voxels.
#ifndef voxelkl_RegionStatistics_h
#define voxelkl_RegionStatistics_h

#include "voxelkl/LabelNames.h"
#include "voxelkl/LabelVolume.h"
#include "voxelkl/SampleSummary.h"

#include "itkImage.h"

#include <cstdint>
#include <string>
#include <vector>

namespace voxelkl
{

/** One map to summarise, on the labels' grid. */
struct RegionMap
{
  std::string                  name; ///< column prefix: "kl" gives kl_mean, kl_std, ...
  const itk::Image<float, 3> * image{ nullptr };
  std::vector<unsigned char>   valid; ///< optional: nonzero = summarise the voxel; empty = all
};

struct RegionRow
{
  std::int32_t               label{ 0 };
  std::string                name;        ///< from the names, else the label number as text
  std::size_t                voxels{ 0 }; ///< the label's voxels on the grid, inside the mask
  std::vector<SampleSummary> maps;        ///< one per map; count = the voxels summarised
};

struct RegionTable
{
  std::vector<std::string>  mapNames;
  std::vector<RegionRow>    rows;                  ///< ascending label
  std::vector<std::int32_t> unnamed;               ///< labels in rows without a name, when names were given
  std::size_t               consideredVoxels{ 0 }; ///< voxels in the mask (all without one)
  std::size_t               labelledVoxels{ 0 };   ///< of those, the ones with a nonzero label
};

/** A warning when the atlas labels less than half of the voxels considered (an atlas on
 * another space, or a mask much larger than the brain): the table then describes only a
 * small part of the maps. Empty otherwise. */
std::string
CoverageWarning(const RegionTable & table);

/** The same warning from the counts, for any result that only the labelled voxels enter
 * (`describes`: "the region table describes", "the connectivity matrices describe"):
 * "the atlas labels 26 of the 332 voxels considered (7.8 %): <describes> only them (is the
 * atlas in the maps' space?)". Empty when labelled is at least half of considered. */
std::string
CoverageWarning(std::size_t labelled, std::size_t considered, const std::string & describes);

/** One row per nonzero label of the atlas file (labels.atlasLabels, ascending; 0, the
 * background, has none), so that a region lost in resampling or outside the map shows up
 * with 0 voxels rather than vanishing. A voxel counts for its label when it is inside
 * (inside[v] != 0; empty = every voxel); a map summarises those of them where its valid
 * flag is set and its value is finite (NaN and inf are skipped), with voxelkl::Summarize
 * (numpy conventions). Throws std::invalid_argument when a map or a flag vector is not on
 * the labels' grid or two maps share a name: programming errors. */
RegionTable
ComputeRegionStatistics(const LabelVolume &                labels,
                        const LabelNames &                 names,
                        const std::vector<RegionMap> &     maps,
                        const std::vector<unsigned char> & inside = {});

} // namespace voxelkl

#endif
