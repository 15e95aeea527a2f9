#include "Fixtures.h"

#include "TestFiles.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace voxelkl::test
{

const std::vector<ExecutableFiles> &
Executables()
{
  static const std::vector<ExecutableFiles> executables{
    { "VoxelKLDivergence",
      VOXELKL_KL_EXECUTABLE,
      { { "reference", "ref.nii.gz", Kind::Image },
        { "generated", "gen.nii.gz", Kind::Image },
        { "mask", "mask.nii.gz", Kind::Image },
        { "labels", "labels.nii.gz", Kind::Image },
        { "labelNames", "names.tsv", Kind::Table } },
      { { "output", "kl.nii.gz", Kind::Image },
        { "summary", "kl.json", Kind::Json },
        { "mse", "mse.nii.gz", Kind::Image },
        { "correlation", "r.nii.gz", Kind::Image },
        { "meanDifference", "dm.nii.gz", Kind::Image },
        { "varianceLogRatio", "lv.nii.gz", Kind::Image },
        { "regionTable", "regions.tsv", Kind::Table },
        { "saveState", "kl.vkls", Kind::State },
        { "report", "report.html", Kind::Html },
        { "returnparameterfile", "return.txt", Kind::Any } },
      {} },
    { "VoxelKLMerge",
      VOXELKL_MERGE_EXECUTABLE,
      { { "state", "state.vkls", Kind::State },
        { "labels", "labels.nii.gz", Kind::Image },
        { "labelNames", "names.tsv", Kind::Table } },
      { { "output", "kl.nii.gz", Kind::Image },
        { "summary", "kl.json", Kind::Json },
        { "mse", "mse.nii.gz", Kind::Image },
        { "meanDifference", "dm.nii.gz", Kind::Image },
        { "regionTable", "regions.tsv", Kind::Table },
        { "saveState", "merged.vkls", Kind::State },
        { "report", "merged.html", Kind::Html },
        { "returnparameterfile", "return.txt", Kind::Any } },
      {} },
    { "VoxelSpectralAgreement",
      VOXELKL_SPECTRAL_EXECUTABLE,
      { { "reference", "ref.nii.gz", Kind::Image },
        { "generated", "gen.nii.gz", Kind::Image },
        { "mask", "mask.nii.gz", Kind::Image },
        { "labels", "labels.nii.gz", Kind::Image },
        { "labelNames", "names.tsv", Kind::Table } },
      { { "spectralKL", "skl.nii.gz", Kind::Image },
        { "alffRatio", "alff.nii.gz", Kind::Image },
        { "autocorrelationDifference", "dphi.nii.gz", Kind::Image },
        { "referenceSpectrum", "spectra.nii.gz", Kind::Image },
        { "status", "status.nii.gz", Kind::Image },
        { "summary", "spectral.json", Kind::Json },
        { "regionTable", "regions.tsv", Kind::Table },
        { "returnparameterfile", "return.txt", Kind::Any } },
      { "--repetitionTime", "2", "--segmentLength", "8" } },
    { "VoxelMoments",
      VOXELKL_MOMENTS_EXECUTABLE,
      { { "input", "ref.nii.gz", Kind::Image },
        { "mask", "mask.nii.gz", Kind::Image },
        { "labels", "labels.nii.gz", Kind::Image },
        { "labelNames", "names.tsv", Kind::Table } },
      { { "mean", "mean.nii.gz", Kind::Image },
        { "variance", "variance.nii.gz", Kind::Image },
        { "std", "std.nii.gz", Kind::Image },
        { "skewness", "skewness.nii.gz", Kind::Image },
        { "kurtosis", "kurtosis.nii.gz", Kind::Image },
        { "count", "count.nii.gz", Kind::Image },
        { "regionTable", "regions.tsv", Kind::Table },
        { "saveState", "moments.vkls", Kind::State } },
      {} },
    { "SpatialKLDivergence",
      VOXELKL_SPATIAL_EXECUTABLE,
      { { "reference", "ref.nii.gz", Kind::Image },
        { "generated", "gen.nii.gz", Kind::Image },
        { "mask", "mask.nii.gz", Kind::Image } },
      { { "table", "spatial.tsv", Kind::Table },
        { "summary", "spatial.json", Kind::Json },
        { "report", "spatial.html", Kind::Html },
        { "returnparameterfile", "return.txt", Kind::Any } },
      { "--standardize", "voxel" } },
    { "ConnectivityAgreement",
      VOXELKL_CONNECTIVITY_EXECUTABLE,
      { { "reference", "ref.nii.gz", Kind::Image },
        { "generated", "gen.nii.gz", Kind::Image },
        { "mask", "mask.nii.gz", Kind::Image },
        { "labels", "labels.nii.gz", Kind::Image },
        { "labelNames", "names.tsv", Kind::Table } },
      { { "referenceMatrix", "fc_ref.tsv", Kind::Table },
        { "generatedMatrix", "fc_gen.tsv", Kind::Table },
        { "timeSeries", "fc_series.tsv", Kind::Table },
        { "profileCorrelation", "profile.nii.gz", Kind::Image },
        { "summary", "fc.json", Kind::Json },
        { "returnparameterfile", "return.txt", Kind::Any } },
      {} },
    { "RegionStatistics",
      VOXELKL_REGIONS_EXECUTABLE,
      { { "input", "map.nii.gz", Kind::Image },
        { "labels", "labels.nii.gz", Kind::Image },
        { "labelNames", "names.tsv", Kind::Table },
        { "mask", "mask.nii.gz", Kind::Image } },
      { { "table", "regions.tsv", Kind::Table }, { "summary", "regions.json", Kind::Json } },
      {} },
    { "VoxelKLCohort",
      VOXELKL_COHORT_EXECUTABLE,
      { { "index", "index.tsv", Kind::Table } },
      { { "table", "cohort.tsv", Kind::Table },
        { "regionTable", "cohort_regions.tsv", Kind::Table },
        { "groupTable", "cohort_group.tsv", Kind::Table },
        { "report", "cohort.html", Kind::Html } },
      {} },
    { "VoxelKLReport",
      VOXELKL_REPORT_EXECUTABLE,
      { { "reference", "ref.nii.gz", Kind::Image },
        { "mask", "mask.nii.gz", Kind::Image },
        { "kl", "map.nii.gz", Kind::Image } },
      { { "output", "report.html", Kind::Html } },
      {} },
  };
  return executables;
}

namespace
{
double
Signal(long x, long y, long z, long t)
{
  return 100.0 + x + 2 * y + 3 * z + ((t * 7 + x * 3 + y) % 5);
}
double
Generated(long x, long y, long z, long t)
{
  // z * z, not z: each label's mean must vary over time (ConnectivityAgreement).
  return 101.0 + x + 2 * y + 3 * z + ((t * 5 + z * z + y) % 4) * 1.5;
}
} // namespace

void
WriteInputs(const std::string & directory)
{
  const auto reference = MakeSeries({ 6, 5, 4, 10 }, Signal);
  WriteSeries(reference, directory + "/ref.nii.gz");
  WriteSeries(MakeSeries({ 6, 5, 4, 10 }, Generated), directory + "/gen.nii.gz");
  WriteMask(reference, directory + "/mask.nii.gz", [](long x, long, long) { return x > 0 ? 1 : 0; });
  WriteMask(reference, directory + "/labels.nii.gz", [](long x, long y, long) { return 1 + (x + y) % 3; });
  WriteMask(reference, directory + "/map.nii.gz", [](long x, long y, long z) { return x * y + z; });
  std::ofstream(directory + "/names.tsv") << "1\tone\n2\ttwo\n3\tthree\n";
  // A cohort of one: a summary as VoxelKLDivergence writes it, with its regions.
  std::ofstream(directory + "/sub-01_kl.json")
    << R"({"tool": "VoxelKLDivergence", "options": {"estimator": "gaussian", "direction": "forward",)"
       R"( "varianceFloor": "relative"}, "voxels": {"valid": 90}, "kl": {"count": 90, "mean": 0.5, "median": 0.25},)"
       R"( "regions": {"maps": ["kl"], "regions": [{"label": 1, "name": "one", "voxels": 40, "statistics": {"kl":)"
       R"( {"count": 40, "mean": 0.5, "std": 0.1, "min": 0, "p5": 0.1, "p25": 0.2, "median": 0.25, "p75": 0.5,)"
       R"( "p95": 1, "max": 2}}}]}})";
  std::ofstream(directory + "/index.tsv") << "subject\tmodel\tsummary\n01\ta\tsub-01_kl.json\n";
  // A state with paired moments, as VoxelKLDivergence saves it.
  const auto saved = RunProgram(VOXELKL_KL_EXECUTABLE,
                                { "--reference",
                                  directory + "/ref.nii.gz",
                                  "--generated",
                                  directory + "/gen.nii.gz",
                                  "--mask",
                                  directory + "/mask.nii.gz",
                                  "--mse",
                                  directory + "/state-mse.nii",
                                  "--output",
                                  directory + "/state-kl.nii",
                                  "--saveState",
                                  directory + "/state.vkls" });
  if (saved.exitCode != 0)
  {
    throw std::runtime_error("cannot save the fixture's state: " + saved.err);
  }
  std::filesystem::remove(directory + "/state-mse.nii");
  std::filesystem::remove(directory + "/state-kl.nii");
}

std::vector<std::string>
Arguments(const ExecutableFiles & executable, const std::string & directory)
{
  std::vector<std::string> arguments;
  for (const auto * files : { &executable.inputs, &executable.outputs })
  {
    for (const auto & file : *files)
    {
      arguments.push_back("--" + file.option);
      arguments.push_back(directory.empty() ? file.file : directory + "/" + file.file);
    }
  }
  arguments.insert(arguments.end(), executable.otherArguments.begin(), executable.otherArguments.end());
  return arguments;
}

void
SetOption(std::vector<std::string> & arguments, const std::string & option, const std::string & value)
{
  const auto found = std::find(arguments.begin(), arguments.end(), "--" + option);
  if (found == arguments.end() || found + 1 == arguments.end())
  {
    throw std::logic_error("no option --" + option);
  }
  *(found + 1) = value;
}

} // namespace voxelkl::test
