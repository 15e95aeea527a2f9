// VoxelKLDivergence: is the generated signal distributed like the real one, voxel by voxel?
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionArguments.h"
#include "voxelkl/KLMapJob.h"
#include "voxelkl/KLMapOutputs.h"
#include "voxelkl/KLSummary.h"
#include "voxelkl/MapWriter.h"
#include "voxelkl/MomentsJob.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ProgressBar.h"
#include "voxelkl/RegionOptions.h"
#include "voxelkl/RunCommand.h"
#include "voxelkl/StateHeaders.h"

#include <fmt/format.h>

#include <iostream>
#include <limits>

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
  voxelkl::AddKLMapOutputOptions(
    d,
    "The per-voxel accumulators (each series' mean and variance sums, and the pairs' with --mse or --correlation) "
    "in a VoxelKL state file, so that VoxelKLMerge can merge runs or subjects into the maps of all their samples. "
    "Gaussian estimator only.");
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
  voxelkl::AddKLMapReturnValues(d);
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
  // Every input is declared before any output is staged, so that an output that would
  // replace one (under any spelling or link) is refused before any work.
  voxelkl::OutputTransaction outputs;
  outputs.ProtectInputs(args.GetStrings("reference"), "--reference");
  outputs.ProtectInputs(args.GetStrings("generated"), "--generated");
  outputs.ProtectInput(args.GetOptionalString("mask").value_or(""), "--mask");
  const voxelkl::KLMapOutputs results(args, outputs);
  job.fidelity = results.Fidelity();
  job.saveState = results.SavesState();
  if (job.saveState && job.estimator.estimator != voxelkl::KLEstimator::Gaussian)
  {
    throw voxelkl::UsageError(fmt::format("--saveState needs --estimator gaussian: {} estimates do not merge (they "
                                          "need every sample of a voxel at once)",
                                          voxelkl::ToString(job.estimator.estimator)));
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

  voxelkl::KLMapOutputs::Result result;
  result.maps = &maps;
  result.summarize = [&](const voxelkl::KLMapStatistics & statistics) {
    return voxelkl::MakeKLSummary(job, maps, statistics);
  };
  result.regions = &regions;
  result.mask = &job.mask.inside;
  result.unorientedNifti = voxelkl::IsUnorientedNifti(job.reference.files.front());
  if (maps.state)
  {
    result.stateHeader = voxelkl::MakeComparisonStateHeader(job, *maps.state);
    result.state = maps.state.get();
  }
  result.warnings = warnings;
  result.headline = fmt::format("KL map ({}, {}, nats)", voxelkl::ToString(job.direction), job.estimator.Describe());
  if (results.WritesReport() && job.runs == voxelkl::RunsHandling::Demean)
  {
    // Demeaned runs have a mean of 0: the report's underlay is the series' mean, read again.
    voxelkl::MomentsJob moments;
    moments.series = job.reference;
    moments.mask = job.mask;
    moments.execution = job.execution;
    moments.execution.progress = nullptr;
    result.anatomy = voxelkl::ComputeMoments(moments).maps[static_cast<unsigned int>(voxelkl::MomentMap::Mean)];
    result.anatomySource = "the mean over time of " + job.reference.Name() + " (before the runs were demeaned)";
  }
  result.threads = voxelkl::EffectiveThreads(job.execution.threads);
  results.Write(result, outputs, "VoxelKLDivergence");
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
