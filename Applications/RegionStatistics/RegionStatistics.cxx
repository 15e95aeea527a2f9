// RegionStatistics: where in the brain does a map go wrong? Per-region statistics of any
// 3D map (a KL map, a moment map, another tool's map) over the regions of a label atlas.
#include "voxelkl/RegionStatistics.h"
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionArguments.h"
#include "voxelkl/LabelNames.h"
#include "voxelkl/LabelVolume.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ProgressBar.h"
#include "voxelkl/RegionTableWriter.h"
#include "voxelkl/RunCommand.h"
#include "voxelkl/ScalarVolumeReader.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace
{
using voxelkl::Parameter;

voxelkl::CommandDescription
Describe()
{
  voxelkl::CommandDescription d =
    voxelkl::MakeCommandDescription("RegionStatistics",
                                    "Region statistics of a map",
                                    "summarise a 3D map over the regions of a label atlas, as a table");
  d.description = {
    "For every region of a label atlas, writes the voxel count and the mean, standard deviation, minimum, 5th, 25th, "
    "50th, 75th and 95th percentiles and maximum of the map over the region: where in the brain a generated series "
    "departs from the reference, when the map is a VoxelKLDivergence KL map. Percentiles interpolate linearly "
    "(numpy.percentile); the standard deviation divides by N (numpy.std); NaN and inf map values are skipped.",
    "The atlas is any 3D image of integer labels (0 = background), e.g. MRIcron's aal.nii.gz. When it is on another "
    "grid than the map (atlases are usually 1 mm, fMRI 2-4 mm), it is resampled onto the map's grid by nearest "
    "neighbour in physical space, and a note on stderr says so; an atlas that does not overlap the map is refused. "
    "Regions are named from --labelNames: 'index name' lines (e.g. aal.nii.txt) or an FSL atlas XML file; numbers "
    "alone otherwise. Every label of the atlas gets a row, also one with no voxel on the map's grid.",
    "The table is tab-separated with a header row; beside it goes a 3D Slicer schema (T.schema.tsv for T.tsv) so that "
    "its numeric columns load as numbers. VoxelKLDivergence writes 0 outside its mask: give the same --mask here.",
  };
  d.examples = {
    { "KL divergence by AAL region",
      "RegionStatistics --input kl.nii.gz --labels aal.nii.gz --labelNames aal.nii.txt --mask brain.nii.gz "
      "--table kl_regions.tsv" },
    { "Standard deviation map by FSL Harvard-Oxford region, with a JSON copy",
      "RegionStatistics --input std.nii.gz --mapName std --labels HarvardOxford-cort-maxprob-thr25-2mm.nii.gz "
      "--labelNames HarvardOxford-Cortical.xml --table std_regions.tsv --summary std_regions.json" },
  };
  d.AddGroup("Inputs", "The map and the atlas")
    .Add(Parameter::InputImage("input", "Map", "A 3D map (any voxel type).").Required())
    .Add(Parameter::InputImage("labels",
                               "Atlas",
                               "A 3D image of integer region labels, 0 = background; resampled onto the map's grid "
                               "(nearest neighbour) when it is on another grid.")
           .Required())
    .Add(Parameter::InputFile("labelNames",
                              "Region names",
                              "'index name' lines (tab- or space-separated, e.g. aal.nii.txt) or an FSL atlas XML "
                              "file.",
                              { ".txt", ".tsv", ".xml" }))
    .Add(Parameter::InputImage("mask", "Mask", "A 3D image on the map's grid; only its nonzero voxels count."))
    .Add(Parameter::String("mapName",
                           "Column prefix",
                           "Prefix of the statistics' column names: value gives value_mean, value_std, ...",
                           std::string("value")));
  d.AddGroup("Outputs", "The region table")
    .Add(Parameter::OutputTable("table",
                                "Region table",
                                "Tab-separated table, one row per region; its schema is written beside it "
                                "(T.schema.tsv).")
           .Required())
    .Add(Parameter::OutputFile(
      "summary", "JSON summary", "The same table as JSON, with the inputs and the grids.", { ".json" }));
  return d;
}

nlohmann::json
GridJson(const voxelkl::SpatialGrid & grid)
{
  return {
    { "size", grid.size }, { "spacing", grid.spacing }, { "origin", grid.origin }, { "direction", grid.direction }
  };
}

int
Run(const voxelkl::ParsedArguments & args)
{
  const std::string input = args.GetString("input");
  const std::string atlas = args.GetString("labels");
  const std::string table = args.GetString("table");
  const auto        summary = args.GetOptionalString("summary");
  const std::string mapName = args.GetString("mapName");
  if (mapName.empty() || mapName.find_first_of("\t\r\n ") != std::string::npos)
  {
    throw voxelkl::UsageError(fmt::format("--mapName '{}': expected a non-empty name without spaces", mapName));
  }
  const std::string schema = voxelkl::RegionSchemaPath(table);

  // Inputs first: an output that would replace one is refused before any work.
  voxelkl::OutputTransaction outputs;
  outputs.ProtectInput(input, "--input");
  outputs.ProtectInput(atlas, "--labels");
  outputs.ProtectInput(args.GetOptionalString("labelNames").value_or(""), "--labelNames");
  outputs.ProtectInput(args.GetOptionalString("mask").value_or(""), "--mask");
  outputs.Stage(table, "--table");
  outputs.Stage(schema, "--table's schema");
  if (summary)
  {
    outputs.Stage(*summary, "--summary");
  }

  // The steps are few and quick: progress in steps, for 3D Slicer's progress bar.
  voxelkl::ProgressBar bar("RegionStatistics");
  bar.Update(0.0);
  const auto         map = voxelkl::ReadScalarVolume<float>(input);
  const auto         grid = voxelkl::ImageGrid(map);
  const auto         mask = voxelkl::LoadMask(args.GetOptionalString("mask").value_or(""), input, grid);
  const auto         namesPath = args.GetOptionalString("labelNames");
  const auto         names = namesPath ? voxelkl::ReadLabelNames(*namesPath) : voxelkl::LabelNames{};
  std::ostringstream notes;
  bar.Update(0.25);
  const auto labels = voxelkl::LoadLabels(atlas, input, grid, notes);
  if (namesPath)
  {
    voxelkl::CheckLabelNames(*namesPath, names, labels, notes);
  }
  bar.Update(0.5);
  const auto regions =
    voxelkl::ComputeRegionStatistics(labels, names, { { mapName, map.GetPointer(), {} } }, mask.inside);

  outputs.Write(table, voxelkl::FormatRegionTable(regions));
  outputs.Write(schema, voxelkl::FormatRegionSchema(regions));
  if (summary)
  {
    nlohmann::json document = voxelkl::ToJson(regions);
    document["inputs"] = {
      { "map", { { "path", input }, { "grid", GridJson(grid) } } },
      { "labels",
        { { "path", atlas },
          { "grid", GridJson(labels.atlasGrid) },
          { "resampled", labels.resampled },
          { "labels", labels.atlasLabels.size() },
          { "labelsOnMapGrid", labels.keptLabels } } },
      { "labelNames", namesPath ? nlohmann::json(*namesPath) : nlohmann::json(nullptr) },
      { "mask", mask.path.empty() ? nlohmann::json(nullptr) : nlohmann::json(mask.path) },
      { "voxelsInMask", mask.count },
    };
    // Names are UTF-8 by construction (ReadLabelNames); replace guards against the rest.
    outputs.Write(*summary, document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + '\n');
  }
  outputs.Commit();
  bar.Finish();

  std::string line;
  for (std::istringstream lines(notes.str()); std::getline(lines, line);)
  {
    voxelkl::PrintNote(line);
  }
  if (const std::string warning = voxelkl::CoverageWarning(regions); !warning.empty())
  {
    voxelkl::PrintWarning(warning);
  }
  std::cout << fmt::format("table: {} ({} regions; schema {})\n", table, regions.rows.size(), schema);
  if (summary)
  {
    std::cout << "summary: " << *summary << '\n';
  }
  return 0;
}

} // namespace

int
main(int argc, char ** argv)
{
  // Every .nii/.nii.gz that an itk::ImageFileReader opens (maps, masks, atlases) is read by
  // VoxelKL's reader or refused with its reason, never handed to niftilib.
  voxelkl::RegisterNiftiImageIO(voxelkl::NiftiClaim::EveryNiftiFile);
  return voxelkl::RunCommand(Describe(), argc, argv, Run);
}
