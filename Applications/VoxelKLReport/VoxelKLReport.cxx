// VoxelKLReport: one HTML page people look at. The maps of a VoxelKL run (KL, fidelity maps,
// k-NN KL, any other map) as mosaics over the reference's mean image, histograms, the region
// chart, the per-volume spatial KL, a cohort's per-subject chart, the summary's text and an
// interactive viewer, all in one self-contained file.
#include "voxelkl/Cohort.h"
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionArguments.h"
#include "voxelkl/HtmlReport.h"
#include "voxelkl/ImageGrid.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/MomentsJob.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ProgressBar.h"
#include "voxelkl/RegionTableReader.h"
#include "voxelkl/ReportViewer.h"
#include "voxelkl/RunCommand.h"
#include "voxelkl/ScalarVolumeReader.h"
#include "voxelkl/SeriesInfo.h"

#include <fmt/format.h>
#include <tbb/task_arena.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace
{
using voxelkl::Parameter;

// The explicit map options, in the order the page shows them.
struct MapOption
{
  const char * flag;
  const char * label;
  const char * description;
};
constexpr MapOption MapOptions[] = {
  { "kl", "KL map", "VoxelKLDivergence --output with the Gaussian estimator (nats)." },
  { "knn", "k-NN KL map", "VoxelKLDivergence --output with --estimator knn (nats)." },
  { "histogram", "Histogram KL map", "VoxelKLDivergence --output with --estimator histogram (nats)." },
  { "mse", "MSE map", "VoxelKLDivergence --mse." },
  { "correlation", "Correlation map", "VoxelKLDivergence --correlation." },
  { "meanDifference", "Mean difference map", "VoxelKLDivergence --meanDifference." },
  { "varianceLogRatio", "Log variance ratio map", "VoxelKLDivergence --varianceLogRatio (diverging, centred on 0)." },
};

voxelkl::CommandDescription
Describe()
{
  voxelkl::CommandDescription d = voxelkl::MakeCommandDescription(
    "VoxelKLReport",
    "HTML report of KL maps",
    "one self-contained HTML page of a VoxelKL run or cohort: map mosaics, histograms, charts and a viewer");
  d.description = {
    "Writes one HTML file that opens offline in any current browser (no network request: images are PNG data URIs, "
    "plots inline SVG, the viewer inlined). For each map: axial slices (and one sagittal, one coronal) over the "
    "reference's mean image in grey, with a colour bar and its robust range (the 2nd to 98th percentile of the "
    "voxels shown; symmetric about 0 with a diverging colour map for the correlation, mean difference and variance "
    "log ratio), the mask's outline, L/R and the slice positions in RAS millimetres (neurological convention: the "
    "subject's left on the left), and a histogram. With a region table, the 20 regions with the highest median KL "
    "and their spread; with SpatialKLDivergence's per-volume table, the KL over time; with a cohort table, one row "
    "per subject. The text gives the inputs and their grids, the options, the summary's voxel counts and warnings "
    "(floored voxels, atlas coverage, skipped non-finite samples, the estimator's biases) and the version.",
    "The underlay is the reference's mean over time: --reference computes it from the series (VoxelMoments' mean), "
    "--anatomy takes a 3D image (e.g. VoxelMoments --mean). Every map must be on its grid. A map is shown for the "
    "voxels of --mask with a finite value (every finite voxel without a mask). VoxelKLDivergence --report, "
    "VoxelKLMerge --report, SpatialKLDivergence --report and VoxelKLCohort --report write the same page from what "
    "they computed, showing a map for its valid voxels exactly.",
    "The interactive viewer (NiiVue) shows the underlay and one map at a time, as 8-bit codes over the map's colour "
    "range; a build without the NiiVue bundle says so on the page and keeps the mosaics. Bad input (a map on another "
    "grid, a summary without a field the page shows, an output that cannot be written) gives one line naming the "
    "file and no output file.",
  };
  d.examples = {
    { "The maps of a VoxelKLDivergence run over the reference's mean, with its summary and region table",
      "VoxelKLReport --reference sub-01_bold.nii.gz --mask brain.nii.gz --kl kl.nii.gz --mse mse.nii.gz "
      "--varianceLogRatio dlogvar.nii.gz --summary kl.json --regionTable regions.tsv --output report.html" },
    { "Over a mean image computed before, with a map of another tool",
      "VoxelKLReport --anatomy mean.nii.gz --kl kl.nii.gz --map alff=alff.nii.gz --output report.html" },
    { "A cohort and a spatial KL run, without maps",
      "VoxelKLReport --cohortTable cohort.tsv --summary spatial.json --spatialTable per_volume.tsv --output "
      "report.html" },
  };
  d.AddGroup("Underlay", "The reference's mean image the maps are drawn over")
    .Add(Parameter::InputImage("reference",
                               "Reference series",
                               "The real fMRI series (a 4D image, runs or 3D volumes, the option repeated): its mean "
                               "over time is the underlay.")
           .Multiple())
    .Add(Parameter::InputImage("anatomy", "Mean image", "A 3D image as underlay instead (e.g. VoxelMoments --mean)."))
    .Add(Parameter::InputImage("mask", "Mask", "A 3D image on the same grid: the maps are shown for its voxels."));
  auto & maps = d.AddGroup("Maps", "The maps to show, on the underlay's grid");
  for (const MapOption & option : MapOptions)
  {
    maps.Add(Parameter::InputImage(option.flag, option.label, option.description));
  }
  maps.Add(Parameter::String("map",
                             "Other map",
                             "NAME=FILE, repeated: any other 3D map (NAME one of the flags above gives it that "
                             "kind's colour map; other names get the sequential one).")
             .Multiple()
             .HiddenFromSlicer());
  d.AddGroup("Tables and summaries", "What the text and charts come from")
    .Add(Parameter::InputFile("summary",
                              "Summary",
                              "A JSON summary of VoxelKLDivergence or VoxelKLMerge, and/or one of SpatialKLDivergence "
                              "(the option repeated; each file's 'tool' says which).",
                              { ".json" })
           .Multiple())
    .Add(Parameter::InputFile("regionTable",
                              "Region table",
                              "A region table (VoxelKLDivergence --regionTable, RegionStatistics --table): the regions "
                              "with the highest median KL.",
                              { ".tsv" }))
    .Add(Parameter::InputFile(
      "spatialTable", "Per-volume table", "SpatialKLDivergence --table: the spatial KL of each volume.", { ".tsv" }))
    .Add(Parameter::InputFile(
      "cohortTable", "Cohort table", "VoxelKLCohort --table: one row per subject and model.", { ".tsv" }));
  d.AddGroup("Output", "The page")
    .Add(Parameter::OutputFile("output", "HTML report", "The self-contained HTML page.", { ".html" }).Required());
  d.AddGroup("Options", "How the page is drawn")
    .Add(Parameter::Integer("slices", "Axial slices", "Axial slices per map, spread over the mask (1 to 64).", 12))
    .Add(Parameter::String("title", "Title", "The page's title (default: made from the inputs)."));
  voxelkl::AddExecutionOptions(d);
  return d;
}

std::string
ReadTextFile(const std::string & path)
{
  std::ifstream file(path, std::ios::binary);
  if (!file)
  {
    throw voxelkl::InputError(path, "cannot be read (no such file, or no permission)");
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad())
  {
    throw voxelkl::InputError(path, "cannot be read");
  }
  return text.str();
}

// (name, file) of every map option given, explicit options first.
std::vector<std::pair<std::string, std::string>>
MapFiles(const voxelkl::ParsedArguments & args)
{
  std::vector<std::pair<std::string, std::string>> files;
  std::set<std::string>                            names;
  for (const MapOption & option : MapOptions)
  {
    if (const auto path = args.GetOptionalString(option.flag))
    {
      files.emplace_back(option.flag, *path);
      names.insert(option.flag);
    }
  }
  for (const std::string & given : args.GetStrings("map"))
  {
    const auto        equals = given.find('=');
    const std::string name = given.substr(0, equals);
    const bool        nameOk = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (equals == std::string::npos || !nameOk || equals + 1 == given.size())
    {
      throw voxelkl::UsageError(
        fmt::format("--map {}: expected NAME=FILE, NAME of letters, digits, '_' and '-'", given));
    }
    if (!names.insert(name).second)
    {
      throw voxelkl::UsageError(fmt::format("--map {}: a map named '{}' is given twice", given, name));
    }
    files.emplace_back(name, given.substr(equals + 1));
  }
  return files;
}

int
Run(const voxelkl::ParsedArguments & args)
{
  const voxelkl::ExecutionOptions execution = voxelkl::ReadExecutionOptions(args);
  const auto                      references = args.GetStrings("reference");
  const auto                      anatomyPath = args.GetOptionalString("anatomy");
  if (!references.empty() && anatomyPath)
  {
    throw voxelkl::UsageError("give --reference (a series) or --anatomy (a mean image), not both");
  }
  const auto mapFiles = MapFiles(args);
  if (!mapFiles.empty() && references.empty() && !anatomyPath)
  {
    throw voxelkl::UsageError("maps need an underlay: give --reference (the reference series) or --anatomy (its mean "
                              "image)");
  }
  const auto summaries = args.GetStrings("summary");
  if (mapFiles.empty() && summaries.empty() && !args.Has("regionTable") && !args.Has("spatialTable") &&
      !args.Has("cohortTable"))
  {
    throw voxelkl::UsageError("nothing to report: give maps (--kl, ..., --map), --summary, --regionTable, "
                              "--spatialTable or --cohortTable");
  }
  const int slices = args.GetInt("slices");
  if (slices < 1 || slices > 64)
  {
    throw voxelkl::UsageError(fmt::format("--slices must be between 1 and 64, not {}", slices));
  }

  // Every input before the output, so that it cannot replace one.
  voxelkl::OutputTransaction outputs;
  outputs.ProtectInputs(references, "--reference");
  outputs.ProtectInput(anatomyPath.value_or(""), "--anatomy");
  outputs.ProtectInput(args.GetOptionalString("mask").value_or(""), "--mask");
  for (const auto & [name, path] : mapFiles)
  {
    outputs.ProtectInput(path, "--" + (voxelkl::MapKindOf(name) == voxelkl::MapKind::Other ? "map" : name));
  }
  outputs.ProtectInputs(summaries, "--summary");
  for (const char * option : { "regionTable", "spatialTable", "cohortTable" })
  {
    outputs.ProtectInput(args.GetOptionalString(option).value_or(""), std::string("--") + option);
  }
  const std::string output = args.GetString("output");
  outputs.Stage(output, "--output");

  voxelkl::ReportContent content;
  content.tool = "VoxelKLReport";
  content.title = args.GetOptionalString("title").value_or("");
  content.axialSlices = static_cast<std::size_t>(slices);
  content.settings = { { "axial slices", std::to_string(slices) } };

  // The tables and summaries first: they are cheap to check.
  for (const std::string & path : summaries)
  {
    nlohmann::json document = voxelkl::ReadJsonDocument(path);
    // The page checks each summary (CheckReportContent); its tool only decides where it goes.
    const std::string tool = document.is_object() && document.contains("tool") && document["tool"].is_string()
                               ? document["tool"].get<std::string>()
                               : "VoxelKLDivergence";
    auto &            slot = tool == "SpatialKLDivergence" ? content.spatialSummary : content.summary;
    auto &            source = tool == "SpatialKLDivergence" ? content.spatialSummarySource : content.summarySource;
    if (slot)
    {
      throw voxelkl::UsageError(fmt::format("--summary {}: a second {} summary (also {})", path, tool, source));
    }
    slot = std::move(document);
    source = path;
  }
  if (const auto path = args.GetOptionalString("regionTable"))
  {
    content.regions = voxelkl::ReadRegionTable(*path);
    content.regionsSource = *path;
  }
  if (const auto path = args.GetOptionalString("spatialTable"))
  {
    content.spatial = voxelkl::ParseSpatialTable(ReadTextFile(*path), *path);
  }
  if (const auto path = args.GetOptionalString("cohortTable"))
  {
    content.cohort = voxelkl::ParseTextTable(ReadTextFile(*path), *path);
  }
  voxelkl::CheckReportContent(content); // the summaries' fields, before the images are read

  // The underlay, the mask and the maps.
  if (anatomyPath)
  {
    content.anatomy = voxelkl::ReadScalarVolume<float>(*anatomyPath);
    content.anatomySource = *anatomyPath;
  }
  else if (!references.empty())
  {
    voxelkl::MomentsJob job;
    job.series = voxelkl::InspectSeries(references);
    job.execution = execution;
    voxelkl::ProgressBar bar("VoxelKLReport");
    job.execution.progress = [&bar](double fraction) { bar.Update(fraction); };
    auto moments = voxelkl::ComputeMoments(job);
    bar.Finish();
    content.anatomy = moments.maps[static_cast<unsigned int>(voxelkl::MomentMap::Mean)];
    content.anatomySource = "the mean over time of " + job.series.Name();
  }
  if (content.anatomy)
  {
    const voxelkl::SpatialGrid grid = voxelkl::ImageGrid(content.anatomy);
    if (const auto mask = args.GetOptionalString("mask"))
    {
      content.mask = voxelkl::LoadMask(*mask, content.anatomySource, grid).inside;
      content.maskSource = *mask;
    }
  }
  else if (args.Has("mask"))
  {
    throw voxelkl::UsageError("--mask needs maps and their underlay (--reference or --anatomy)");
  }
  for (const auto & [name, path] : mapFiles)
  {
    voxelkl::ReportMap map;
    map.name = name;
    map.kind = voxelkl::MapKindOf(name);
    map.source = path;
    map.image = voxelkl::ReadScalarVolume<float>(path);
    content.maps.push_back(std::move(map));
  }

  std::string html;
  tbb::task_arena(static_cast<int>(voxelkl::EffectiveThreads(execution.threads))).execute([&] {
    html = voxelkl::MakeHtmlReport(content);
  });
  outputs.Write(output, html);
  outputs.Commit();
  std::cout << fmt::format("Report: {} ({:.1f} MB, {} map{}{})\n",
                           output,
                           html.size() / 1e6,
                           content.maps.size(),
                           content.maps.size() == 1 ? "" : "s",
                           content.maps.empty() ? ""
                           : voxelkl::HasViewerBundle()
                             ? ", NiiVue " + std::string(voxelkl::ViewerBundleVersion()) + " viewer"
                             : ", no viewer in this build");
  return 0;
}

} // namespace

int
main(int argc, char ** argv)
{
  voxelkl::RegisterNiftiImageIO(voxelkl::NiftiClaim::EveryNiftiFile);
  return voxelkl::RunCommand(Describe(), argc, argv, Run);
}
