#include "voxelkl/RegionOptions.h"

#include "voxelkl/Errors.h"
#include "voxelkl/RegionTableWriter.h"
#include "voxelkl/RunCommand.h"

#include <sstream>

namespace voxelkl
{

void
AddRegionOptions(CommandDescription & description)
{
  description.AddGroup("Regions", "Statistics of the maps per atlas region")
    .Add(Parameter::InputImage("labels",
                               "Atlas",
                               "A 3D integer label image (0 = background); resampled with nearest neighbour onto the "
                               "maps' grid in physical space when its grid differs."))
    .Add(Parameter::InputFile("labelNames",
                              "Region names",
                              "'index name' lines (tab or space separated, e.g. MRIcron's aal.nii.txt) or an FSL atlas "
                              "XML; numbers alone without it.",
                              { ".txt", ".tsv", ".xml" }))
    .Add(Parameter::OutputTable("regionTable",
                                "Region table",
                                "Per region: name, voxel count, mean, std, min, p5, p25, median, p75, p95, max of each "
                                "map (TSV; a .schema.tsv is written beside it for 3D Slicer)."));
}

RegionRequest::RegionRequest(const ParsedArguments & arguments,
                             const std::string &     seriesName,
                             const SpatialGrid &     grid,
                             OutputTransaction &     outputs)
{
  const auto atlas = arguments.GetOptionalString("labels");
  const auto table = arguments.GetOptionalString("regionTable");
  if (atlas.has_value() != table.has_value())
  {
    throw UsageError(atlas ? "--labels needs --regionTable (where to write the region table)"
                           : "--regionTable needs --labels (the atlas)");
  }
  if (!atlas)
  {
    if (arguments.Has("labelNames"))
    {
      throw UsageError("--labelNames needs --labels (the atlas)");
    }
    return;
  }
  // The atlas and its names are inputs like the series: no output may replace them.
  outputs.ProtectInput(*atlas, "--labels");
  outputs.ProtectInput(arguments.GetOptionalString("labelNames").value_or(""), "--labelNames");
  m_Table = *table;
  m_StagedTable = outputs.Stage(m_Table, "--regionTable");
  m_StagedSchema = outputs.Stage(RegionSchemaPath(m_Table), "--regionTable's schema");
  if (const auto names = arguments.GetOptionalString("labelNames"))
  {
    m_Names = ReadLabelNames(*names);
  }
  std::ostringstream notes;
  m_Labels = LoadLabels(*atlas, seriesName, grid, notes);
  m_Notes = notes.str();
}

RegionTable
RegionRequest::Write(const std::vector<RegionMap> & maps, const std::vector<unsigned char> & inside) const
{
  const RegionTable table = ComputeRegionStatistics(*m_Labels, m_Names, maps, inside);
  // Written whole and checked, errors naming the final files (committed with the maps).
  WriteFileDurably(m_StagedTable, FormatRegionTable(table), m_Table);
  WriteFileDurably(m_StagedSchema, FormatRegionSchema(table), RegionSchemaPath(m_Table));
  std::istringstream notes(m_Notes);
  for (std::string line; std::getline(notes, line);)
  {
    PrintNote(line);
  }
  if (const std::string warning = CoverageWarning(table); !warning.empty())
  {
    PrintWarning(warning);
  }
  return table;
}

} // namespace voxelkl
