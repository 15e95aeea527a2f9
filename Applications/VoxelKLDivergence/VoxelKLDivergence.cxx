// VoxelKLDivergence: is the generated signal distributed like the real one, voxel by voxel?
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionArguments.h"
#include "voxelkl/KLMapJob.h"
#include "voxelkl/KLSummary.h"
#include "voxelkl/MapWriter.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ProgressBar.h"
#include "voxelkl/RegionOptions.h"
#include "voxelkl/RegionTableWriter.h"
#include "voxelkl/ReturnParameters.h"
#include "voxelkl/RunCommand.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

#include <iostream>
#include <limits>
#include <map>

namespace
{
using voxelkl::Parameter;

// Limits of the estimator options: far above any sensible value, low enough that a typo
// (--bins 1e7) cannot run for minutes or take gigabytes.
constexpr int MaximumNeighbours = 1000;
constexpr int MaximumTheilerWindow = 10000;
constexpr int MaximumBins = 100000;

voxelkl::CommandDescription
Describe()
{
  voxelkl::CommandDescription d = voxelkl::MakeCommandDescription(
    "VoxelKLDivergence",
    "Voxel-wise KL divergence",
    "map the KL divergence between a generated and a reference fMRI series, voxel by voxel");
  d.description = {
    "At each voxel, fits a Gaussian to the time series of the reference (real) and of the generated series "
    "(mean and maximum-likelihood variance, divide by N as numpy.var) and writes the closed-form Kullback-Leibler "
    "divergence between the two, in nats. A model trained with MSE alone tends to produce flattened, averaged "
    "signal; the KL map shows where its output does not have the mean and spread of real signal.",
    "forward = KL(reference || generated), the D_KL(P || Q) of the seed note with P the real signal; reverse = "
    "KL(generated || reference), the order of MindAligner's loss; symmetric = their sum (Jeffreys). The two series "
    "need not have the same number of time points, but must share the spatial grid (size, spacing, origin, "
    "direction within 1e-4).",
    "A series is one 4D image (NIfTI .nii/.nii.gz, NRRD, MetaImage; any integer or float voxel type, NIfTI scaling "
    "applied), a list of 3D volumes, one per time point, or several 4D runs concatenated in time, each given by "
    "repeating the option. Uncompressed float NIfTI is read in place in tiles of voxels x all time points; every "
    "other series once, volume by volume, in bounded memory. Results are identical for any --threads and --tiles.",
    "Several runs: --runs concatenate (default) pools their samples as they are; --runs demean removes each run's "
    "voxel mean (over its finite samples) first, so that baseline drifts between runs do not inflate the variance; "
    "the maps are then computed from a scratch copy (as for knn), and the summary says which.",
    "A voxel where a series is constant (e.g. outside the head) has no finite Gaussian KL: where both series are "
    "the same constant the KL is 0; otherwise every variance below the floor is raised to it (default: relative, "
    "(1e-6 * max(|mean_ref|, |mean_gen|, 1))^2). Such voxels are counted in the summary and left out of its "
    "statistics, which are over valid voxels only. Non-finite samples are skipped and counted.",
    "--estimator knn or histogram estimates the KL from the samples themselves, so a generated signal with the "
    "right mean and variance but the wrong shape (skew, heavy tails, sharpness) is seen. Both need every time point "
    "of a voxel at once: they read tiles of voxels x all time points, in place from uncompressed float NIfTI, else "
    "from a scratch copy made in one pass (a .nii.gz is inflated once) in the temporary directory (TMPDIR; voxels x "
    "time points x 4 bytes per series). Integer data are dequantised first: each sample v_t becomes v_t + s (u - "
    "1/2), s the quantisation step (NIfTI scl_slope, else 1) and u a uniform number fixed by (voxel, series, t), so "
    "tied values never make a k-NN distance 0 and the result is the same on every run; float data with tied values "
    "are dequantised by their smallest gap. k-NN leaves out neighbours within the Theiler window in time, in both "
    "series when they have the same length (paired). Estimates near 0 can be slightly negative (the k-NN estimator "
    "is nearly unbiased, not positive). Both estimators are biased low where the first distribution has mass where "
    "the second has almost none: KL(reference || generated) of a flattened generated signal (std x 0.4: 1.71 nats) "
    "is 0.45 from k-NN at T = 200; the reverse direction does not suffer from this. Where a series is constant (no "
    "density) the Gaussian treatment above is "
    "kept and the voxel is counted as constant or floored; where a series has fewer finite samples than k-NN needs "
    "(2 w + k + 1) the voxel is counted with no samples and written as 0.",
  };
  d.examples = {
    { "Compare a model's output with the real series, with a brain mask and a JSON summary",
      "VoxelKLDivergence --reference sub-01_bold.nii.gz --generated sub-01_aligned.nii.gz --mask brain.nii.gz "
      "--output kl.nii.gz --summary kl.json" },
    { "Two runs per series, each run's voxel mean removed before pooling",
      "VoxelKLDivergence --reference run-1_bold.nii.gz --reference run-2_bold.nii.gz --generated run-1_gen.nii.gz "
      "--generated run-2_gen.nii.gz --runs demean --output kl.nii.gz --summary kl.json" },
    { "MindAligner's direction, KL(generated || reference), from lists of 3D volumes",
      "VoxelKLDivergence --reference real_000.nii --reference real_001.nii --generated gen_000.nii --generated "
      "gen_001.nii --direction reverse --output kl_reverse.nii.gz" },
    { "A non-parametric map that also sees the shape of the distributions (10 neighbours, Theiler window of 5 volumes)",
      "VoxelKLDivergence --reference sub-01_bold.nii.gz --generated sub-01_aligned.nii.gz --mask brain.nii.gz "
      "--estimator knn --neighbours 10 --theilerWindow 5 --output kl_knn.nii.gz --summary kl_knn.json" },
  };
  d.AddGroup("Inputs", "The two series to compare")
    .Add(Parameter::InputImage("reference",
                               "Reference series",
                               "The real fMRI series (P): a 4D image, several 4D runs, or one 3D volume "
                               "per time point, with the option repeated.")
           .Required()
           .Multiple())
    .Add(Parameter::InputImage("generated",
                               "Generated series",
                               "The series produced by the model (Q), on the "
                               "reference's grid; same forms as --reference.")
           .Required()
           .Multiple())
    .Add(Parameter::InputImage("mask",
                               "Mask",
                               "A 3D image on the same grid; computation is restricted to its "
                               "nonzero voxels."));
  d.AddGroup("Outputs", "Where the results go")
    .Add(Parameter::OutputImage("output", "KL map", "The KL map (float32; 0 outside the mask).").Required())
    .Add(Parameter::OutputFile("summary",
                               "Summary",
                               "A JSON summary: inputs, options, voxel counts and the "
                               "distribution of the KL over valid voxels.",
                               { ".json" }));
  d.AddGroup("Fidelity maps", "Computed in the same single pass as the KL map")
    .Add(Parameter::OutputImage("mse",
                                "MSE map",
                                "Mean over time of (generated - reference)^2. Needs paired series (the same number "
                                "of volumes); time points where either value is not finite are left out of both."))
    .Add(Parameter::OutputImage("correlation",
                                "Correlation map",
                                "Pearson r over time between the paired series; where a series is constant r does not "
                                "exist and --undefinedCorrelation is written."))
    .Add(Parameter::OutputImage("meanDifference", "Mean difference map", "mean_generated - mean_reference."))
    .Add(Parameter::OutputImage("varianceLogRatio",
                                "Log variance ratio map",
                                "ln(var_generated / var_reference), the variances floored as for the KL (0 where "
                                "both are constant): below 0 where the generated signal is flattened."))
    .Add(Parameter::Enumeration("undefinedCorrelation",
                                "Undefined correlation",
                                "What the correlation map holds where a series is constant: zero (default) or nan.",
                                { "zero", "nan" },
                                "zero"));
  d.AddGroup("Options", "How the divergence is computed")
    .Add(Parameter::Enumeration("direction",
                                "Direction",
                                "forward = KL(reference || generated), reverse = "
                                "KL(generated || reference), symmetric = their sum.",
                                { "forward", "reverse", "symmetric" },
                                "forward"))
    .Add(Parameter::Enumeration(
      "estimator",
      "Estimator",
      "gaussian = closed form between the Gaussians fitted at each voxel (mean and variance only; default); knn = "
      "k-nearest-neighbour estimate (Wang, Kulkarni & Verdu 2009), which also sees skew, tails and sharpness; "
      "histogram = plug-in on bins shared by the two series. knn and histogram read every time point of a voxel at "
      "once (see the description).",
      { "gaussian", "knn", "histogram" },
      "gaussian"))
    .Add(Parameter::Integer("neighbours",
                            "Neighbours (k)",
                            "k of the knn estimator: larger k lowers the spread "
                            "and raises the bias where the densities differ a lot.",
                            5))
    .Add(Parameter::Integer("theilerWindow",
                            "Theiler window",
                            "knn: neighbours within this many volumes of a sample in time are not counted, because "
                            "autocorrelation makes them close in value. -1 (default): automatic per voxel, "
                            "ceil(3 / -ln(phi)) for the larger lag-1 autocorrelation phi of the two series about their "
                            "linear trends (0 if phi <= "
                            "0), at most (T - 1) / 4.",
                            -1))
    .Add(Parameter::Integer("bins",
                            "Histogram bins",
                            "histogram: number of equal-width bins over the pooled range of the two series. 0 "
                            "(default): Freedman-Diaconis per voxel, width 2 IQR N^(-1/3).",
                            0))
    .Add(Parameter::Double("pseudocount",
                           "Pseudocount",
                           "histogram: added to every bin count of both series (0.5, Krichevsky-Trofimov, by "
                           "default), so that no voxel is infinite. Must be > 0.",
                           0.5))
    .Add(Parameter::Enumeration("runs",
                                "Runs",
                                "Several 4D runs per series: concatenate = pool their samples as they are; demean = "
                                "remove each run's voxel mean first.",
                                { "concatenate", "demean" },
                                "concatenate"))
    .Add(Parameter::Double("varianceFloor",
                           "Variance floor",
                           "Smallest variance used, in squared intensity units "
                           "(absolute). Default: relative, "
                           "(1e-6 * max(|mean_ref|, |mean_gen|, 1))^2."));
  voxelkl::AddRegionOptions(d);
  voxelkl::AddExecutionOptions(d);
  d.AddReturnValue(voxelkl::ReturnValue::Double("meanKL", "Mean KL", "Mean KL over valid voxels, in nats."))
    .AddReturnValue(voxelkl::ReturnValue::Double("medianKL", "Median KL", "Median KL over valid voxels, in nats."))
    .AddReturnValue(voxelkl::ReturnValue::Integer(
      "validVoxels", "Valid voxels", "Voxels with a KL estimate (both series non-constant, enough finite samples)."))
    .AddReturnValue(voxelkl::ReturnValue::Integer(
      "constantVoxels", "Constant voxels", "Voxels where both series are the same constant (KL 0)."));
  return d;
}

// Whether an option of one estimator was set to something else than its default while
// another estimator runs: it would be silently ignored. (3D Slicer passes every option with
// its value, so a default is never refused.)
void
RefuseForeignOption(const char * option, bool isDefault, const char * owner, voxelkl::KLEstimator estimator)
{
  if (!isDefault)
  {
    throw voxelkl::UsageError(
      fmt::format("--{} applies to --estimator {} only, not {}", option, owner, voxelkl::ToString(estimator)));
  }
}

voxelkl::EstimatorSettings
ReadEstimator(const voxelkl::ParsedArguments & args)
{
  voxelkl::EstimatorSettings settings;
  settings.estimator = voxelkl::ParseKLEstimator(args.GetString("estimator"));
  const int neighbours = args.GetInt("neighbours");
  const int window = args.GetInt("theilerWindow");
  const int bins = args.GetInt("bins");
  settings.pseudocount = args.GetDouble("pseudocount");
  if (neighbours < 1 || neighbours > MaximumNeighbours)
  {
    throw voxelkl::UsageError(
      fmt::format("--neighbours must be between 1 and {}, not {}", MaximumNeighbours, neighbours));
  }
  if (window < -1 || window > MaximumTheilerWindow)
  {
    throw voxelkl::UsageError(
      fmt::format("--theilerWindow must be -1 (automatic) or between 0 and {}, not {}", MaximumTheilerWindow, window));
  }
  if (bins < 0 || bins > MaximumBins)
  {
    throw voxelkl::UsageError(
      fmt::format("--bins must be 0 (Freedman-Diaconis) or a count up to {}, not {}", MaximumBins, bins));
  }
  if (!(settings.pseudocount > 0.0) || !std::isfinite(settings.pseudocount))
  {
    throw voxelkl::UsageError(
      fmt::format("--pseudocount must be a positive number (an empty bin would make the KL infinite), not {}",
                  settings.pseudocount));
  }
  if (settings.estimator != voxelkl::KLEstimator::NearestNeighbour)
  {
    RefuseForeignOption("neighbours", neighbours == 5, "knn", settings.estimator);
    RefuseForeignOption("theilerWindow", window == -1, "knn", settings.estimator);
  }
  if (settings.estimator != voxelkl::KLEstimator::Histogram)
  {
    RefuseForeignOption("bins", bins == 0, "histogram", settings.estimator);
    RefuseForeignOption("pseudocount", settings.pseudocount == 0.5, "histogram", settings.estimator);
  }
  settings.neighbours = static_cast<unsigned int>(neighbours);
  settings.theilerWindow = window;
  settings.bins = static_cast<unsigned int>(bins);
  return settings;
}

// What the series allow: more bins than samples, or neighbours that reach most of a short
// series, give numbers that mean nothing. Returns warnings for the summary and stderr.
std::vector<std::string>
CheckEstimatorAgainstSeries(const voxelkl::KLMapJob & job)
{
  std::vector<std::string> warnings;
  const std::size_t        shorter = std::min(job.reference.timePoints, job.generated.timePoints);
  const std::size_t        pooled = job.reference.timePoints + job.generated.timePoints;
  if (job.estimator.estimator == voxelkl::KLEstimator::Histogram && job.estimator.bins > pooled)
  {
    throw voxelkl::UsageError(
      fmt::format("--bins {} is more than the {} samples of a voxel's two series together: at most {}",
                  job.estimator.bins,
                  pooled,
                  pooled));
  }
  if (job.estimator.estimator == voxelkl::KLEstimator::NearestNeighbour && 4 * job.estimator.neighbours > shorter)
  {
    warnings.push_back(fmt::format("k = {} neighbours is more than a quarter of the {} time points of the shorter "
                                   "series: the k-NN estimate is strongly biased (often well below 0); use a smaller "
                                   "--neighbours",
                                   job.estimator.neighbours,
                                   shorter));
  }
  return warnings;
}

int
Run(const voxelkl::ParsedArguments & args)
{
  voxelkl::KLMapJob job;
  job.execution = voxelkl::ReadExecutionOptions(args);
  job.direction = voxelkl::ParseKLDirection(args.GetString("direction"));
  job.estimator = ReadEstimator(args);
  job.runs = voxelkl::ParseRunsHandling(args.GetString("runs"));
  if (const auto floor = args.GetOptionalDouble("varianceFloor"))
  {
    if (!(*floor > 0.0) || !std::isfinite(*floor))
    {
      throw voxelkl::UsageError(fmt::format("--varianceFloor must be a positive number, not {}", *floor));
    }
    job.floor = voxelkl::VarianceFloor::Absolute(*floor);
  }
  job.fidelity.meanDifference = args.Has("meanDifference");
  job.fidelity.varianceLogRatio = args.Has("varianceLogRatio");
  job.fidelity.paired = args.Has("mse") || args.Has("correlation");
  job.fidelity.undefinedCorrelation =
    args.GetString("undefinedCorrelation") == "nan" ? std::numeric_limits<double>::quiet_NaN() : 0.0;
  const std::string output = args.GetString("output");
  if (!voxelkl::CanWriteImage(output))
  {
    throw voxelkl::UsageError(
      fmt::format("--output {}: no image format for this file name (use .nii.gz, .nii, .nrrd or .mha)", output));
  }
  // Every input is declared before any output is staged, so that an output that would
  // replace one (under any spelling or link) is refused before any work.
  voxelkl::OutputTransaction outputs;
  outputs.ProtectInputs(args.GetStrings("reference"), "--reference");
  outputs.ProtectInputs(args.GetStrings("generated"), "--generated");
  outputs.ProtectInput(args.GetOptionalString("mask").value_or(""), "--mask");
  const std::string mapFile = outputs.Stage(output, "--output");
  const auto        summary = args.GetOptionalString("summary");
  if (summary)
  {
    outputs.Stage(*summary, "--summary");
  }
  std::vector<std::pair<std::string, std::string>> fidelityFiles; // (option, staged file)
  for (const char * option : { "mse", "correlation", "meanDifference", "varianceLogRatio" })
  {
    if (const auto path = args.GetOptionalString(option))
    {
      if (!voxelkl::CanWriteImage(*path))
      {
        throw voxelkl::UsageError(fmt::format("--{} {}: no image format for this file name", option, *path));
      }
      fidelityFiles.emplace_back(option, outputs.Stage(*path, std::string("--") + option));
    }
  }
  const auto returnParameters = args.ReturnParameterFile();
  if (returnParameters)
  {
    outputs.Stage(*returnParameters, "--returnparameterfile");
  }

  job.reference = voxelkl::InspectSeries(args.GetStrings("reference"));
  job.generated = voxelkl::InspectSeries(args.GetStrings("generated"));
  voxelkl::RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  job.mask = voxelkl::LoadMask(args.GetOptionalString("mask").value_or(""), job.reference.Name(), job.reference.grid);
  const std::vector<std::string> warnings = CheckEstimatorAgainstSeries(job);
  const voxelkl::RegionRequest   regions(args, job.reference.Name(), job.reference.grid, outputs);

  voxelkl::ProgressBar bar("VoxelKLDivergence");
  job.execution.progress = [&bar](double fraction) { bar.Update(fraction); };
  const auto maps = voxelkl::ComputeKLMaps(job);
  bar.Finish();

  // The maps are independent files: compress and write them at the same time.
  struct MapOutput
  {
    voxelkl::MapPointer map;
    std::string         file, name;
  };
  std::vector<MapOutput>                           mapOutputs{ { maps.divergence, mapFile, output } };
  const std::map<std::string, voxelkl::MapPointer> byOption{ { "mse", maps.meanSquaredError },
                                                             { "correlation", maps.correlation },
                                                             { "meanDifference", maps.meanDifference },
                                                             { "varianceLogRatio", maps.varianceLogRatio } };
  for (const auto & [option, file] : fidelityFiles)
  {
    mapOutputs.push_back({ byOption.at(option), file, args.GetString(option) });
  }
  // ... and summarise them meanwhile.
  voxelkl::KLMapStatistics statistics;
  tbb::task_arena(static_cast<int>(voxelkl::EffectiveThreads(job.execution.threads))).execute([&] {
    tbb::parallel_invoke(
      [&] {
        tbb::parallel_for(std::size_t{ 0 }, mapOutputs.size(), [&](std::size_t i) {
          voxelkl::WriteMap(mapOutputs[i].map, mapOutputs[i].file, mapOutputs[i].name, job.reference.files.front());
        });
      },
      [&] { statistics = voxelkl::ComputeKLMapStatistics(maps); });
  });
  nlohmann::json document = voxelkl::MakeKLSummary(job, maps, statistics);
  if (!warnings.empty())
  {
    document["warnings"] = warnings;
  }
  if (regions.Requested())
  {
    // Every map over the voxels its summary uses: the valid ones (finite Gaussian KL).
    std::vector<unsigned char> valid(maps.status->GetLargestPossibleRegion().GetNumberOfPixels());
    for (std::size_t v = 0; v < valid.size(); ++v)
    {
      valid[v] = maps.status->GetBufferPointer()[v] == static_cast<unsigned char>(voxelkl::VoxelStatus::Valid);
    }
    std::vector<voxelkl::RegionMap> regionMaps{ { "kl", maps.divergence.GetPointer(), valid } };
    for (const auto & [name, map] : voxelkl::FidelityMapsByName(maps))
    {
      regionMaps.push_back({ name, map.GetPointer(), valid });
    }
    document["regions"] = voxelkl::ToJson(regions.Write(regionMaps, job.mask.inside));
  }
  if (summary)
  {
    outputs.Write(*summary, document.dump(2) + '\n');
  }
  const std::vector<std::pair<std::string, std::string>> returnValues{
    { "meanKL", fmt::format("{}", statistics.kl.mean) },
    { "medianKL", fmt::format("{}", statistics.kl.median) },
    { "validVoxels", fmt::format("{}", statistics.valid) },
    { "constantVoxels", fmt::format("{}", statistics.constant) }
  };
  if (returnParameters)
  {
    outputs.Write(*returnParameters, voxelkl::FormatReturnParameters(returnValues));
  }
  outputs.Commit();

  for (const std::string & warning : warnings)
  {
    std::cerr << "VoxelKLDivergence: warning: " << warning << '\n';
  }
  std::cout << "KL map (" << voxelkl::ToString(job.direction) << ", " << job.estimator.Describe()
            << ", nats): " << output << '\n';
  if (summary)
  {
    std::cout << "Summary: " << *summary << '\n';
  }
  if (regions.Requested())
  {
    std::cout << "Region table: " << regions.TablePath() << '\n';
  }
  std::cout << fmt::format("Voxels: {} in mask, {} valid, {} constant, {} floored; {} non-finite samples skipped\n",
                           statistics.inMask,
                           statistics.valid,
                           statistics.constant,
                           statistics.floored,
                           statistics.skippedSamples);
  for (const auto & [option, file] : fidelityFiles)
  {
    std::cout << option << ": " << args.GetString(option) << '\n';
  }
  if (job.fidelity.paired)
  {
    std::cout << fmt::format("Global MSE over mask and time: {}\n", statistics.globalMeanSquaredError);
  }
  if (!returnParameters)
  {
    voxelkl::WriteReturnParameters("", returnValues);
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
