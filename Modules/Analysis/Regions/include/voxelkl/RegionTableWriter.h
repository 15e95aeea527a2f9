// The region table as files: tab-separated values with a header row, the 3D Slicer
// schema that keeps its numeric columns numeric, and JSON.
#ifndef voxelkl_RegionTableWriter_h
#define voxelkl_RegionTableWriter_h

#include "voxelkl/RegionStatistics.h"

#include <nlohmann/json.hpp>

#include <string>

namespace voxelkl
{

/** Columns `label name voxels`, then for each map `<map>_count <map>_mean <map>_std
 * <map>_min <map>_p5 <map>_p25 <map>_median <map>_p75 <map>_p95 <map>_max`. Numbers are
 * written in the shortest form that reads back to the same double; the statistics of a
 * region with no value are empty cells. Tabs and line breaks in names become spaces. */
std::string
FormatRegionTable(const RegionTable & table);

/** 3D Slicer's `<table>.schema.tsv`: `columnName type nullValue description`, one row per
 * column (label and counts int, statistics double with null value nan, name string).
 * Without it Slicer reads every column as text. */
std::string
FormatRegionSchema(const RegionTable & table);

/** Writes both files; InputError naming the file that cannot be written. */
void
WriteRegionTable(const RegionTable & table, const std::string & tsvPath, const std::string & schemaPath);

/** Where Slicer looks for the schema of a table: "out/T.tsv" -> "out/T.schema.tsv". */
std::string
RegionSchemaPath(const std::string & tsvPath);

/** {"maps": [...], "regions": [{"label", "name", "voxels", "<map>": {"count", "mean",
 * ..., "max"}}]}; the statistics of an empty region are null. */
nlohmann::json
ToJson(const RegionTable & table);

} // namespace voxelkl

#endif
