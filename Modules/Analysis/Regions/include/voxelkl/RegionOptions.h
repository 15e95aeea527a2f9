// --labels, --labelNames and --regionTable on the map-producing executables, declared and
// handled in one place.
#ifndef voxelkl_RegionOptions_h
#define voxelkl_RegionOptions_h

#include "voxelkl/CommandDescription.h"
#include "voxelkl/LabelNames.h"
#include "voxelkl/LabelVolume.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ParsedArguments.h"
#include "voxelkl/RegionStatistics.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace voxelkl
{

/** Adds the "Regions" group: an atlas, its names and the region table to write. */
void
AddRegionOptions(CommandDescription & description);

/** What the region options asked for, read before the heavy work so that a bad atlas fails
 * early; empty unless --labels was given. */
class RegionRequest
{
public:
  /** Reads the atlas onto the series' grid and stages the table and its Slicer schema.
   * UsageError when --labels and --regionTable do not come together. */
  RegionRequest(const ParsedArguments & arguments,
                const std::string &     seriesName,
                const SpatialGrid &     grid,
                OutputTransaction &     outputs);

  bool
  Requested() const
  {
    return m_Labels.has_value();
  }
  /** Writes the table of the given maps (staged; committed with the other outputs) and
   * returns it; the resampling note goes to stderr. */
  RegionTable
  Write(const std::vector<RegionMap> & maps, const std::vector<unsigned char> & inside) const;
  const std::string &
  TablePath() const
  {
    return m_Table;
  }

private:
  std::optional<LabelVolume> m_Labels;
  LabelNames                 m_Names;
  std::string                m_Table;
  std::string                m_StagedTable;
  std::string                m_StagedSchema;
  std::string                m_Notes;
};

} // namespace voxelkl

#endif
