// A region table read back: the TSV FormatRegionTable writes (--regionTable of
// VoxelKLDivergence and VoxelMoments, --table of RegionStatistics) or the JSON ToJson makes
// of it (the "regions" of a VoxelKLDivergence summary), as the RegionTable it was made from.
#ifndef voxelkl_RegionTableReader_h
#define voxelkl_RegionTableReader_h

#include "voxelkl/RegionStatistics.h"

#include <nlohmann/json.hpp>

#include <string>

namespace voxelkl
{

/** Parses the text of a region table. The header must be `label name voxels`, then for each
 * map the ten columns `<map>_count <map>_mean ... <map>_max` in the writer's order; every
 * row has as many cells as the header, an integer label (each label once), counts that are
 * non-negative integers, and statistics that are finite numbers, or all empty when the
 * count is 0. name (a file name) and the line number are in every InputError. Only rows,
 * mapNames and the counts of the rows are filled; unnamed and the coverage counts are not
 * in the table and stay empty. */
RegionTable
ParseRegionTable(const std::string & text, const std::string & name);

/** Reads and parses a region table file; InputError naming it when it cannot be read. */
RegionTable
ReadRegionTable(const std::string & path);

/** The table from its JSON form ({"maps", "regions": [{"label", "name", "voxels",
 * "statistics": {map: {"count", "mean", ...}}}], "coverage"}), with the same checks;
 * where names the document in errors (e.g. "kl.json: regions"). */
RegionTable
RegionTableFromJson(const nlohmann::json & document, const std::string & where);

} // namespace voxelkl

#endif
