// SpatialKLDivergence: MindAligner's KL term, the KL divergence between the spatial softmaxes
// of each generated volume and its reference volume, and the combined loss.
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionArguments.h"
#include "voxelkl/HtmlReport.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ProgressBar.h"
#include "voxelkl/ReportOption.h"
#include "voxelkl/ReturnParameters.h"
#include "voxelkl/RunCommand.h"
#include "voxelkl/SpatialKLJob.h"
#include "voxelkl/SpatialKLSummary.h"

#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <optional>

namespace
{
using voxelkl::Parameter;

voxelkl::CommandDescription
Describe()
{
  voxelkl::CommandDescription d = voxelkl::MakeCommandDescription(
    "SpatialKLDivergence",
    "Spatial (softmax) KL divergence",
    "MindAligner's KL loss term: the KL divergence between the spatial softmaxes of paired volumes");
  d.description = {
    "For each pair of volumes (volume t of the generated series and volume t of the reference) it takes the softmax "
    "of the values over the voxels of the mask, a probability distribution over space, and computes the "
    "Kullback-Leibler divergence between the two distributions, in nats; the mean over volumes is the loss term. "
    "This is the KL term of MindAligner's training loss (Dai et al., ICML 2025): "
    "torch.distributions.kl_divergence(Categorical(logits=generated), Categorical(logits=reference)) for each sample, "
    "averaged over samples. With the defaults (--direction reverse, --standardize none, --temperature 1) the numbers "
    "are MindAligner's on the same values.",
    "reverse (default) = KL(generated || reference), MindAligner's order; forward = KL(reference || generated); "
    "symmetric = their sum.",
    "Raw BOLD intensities make the softmax an argmax: at values ~1000 that differ by tens between voxels, exp() puts "
    "nearly all the probability on the brightest voxel, and the KL compares little more than the brightest voxels. "
    "Standardize first (or give z-scored data): --standardize voxel z-scores each voxel over time (its mean and "
    "population std over the series; this reads each file twice; a voxel that does not vary gets 0); --standardize "
    "volume z-scores each volume over the voxels that enter its softmax (population std; a flat volume gives a "
    "uniform softmax). Each series is standardized with its own statistics, so a difference of overall level or "
    "amplitude alone does not show: VoxelKLDivergence measures that. --temperature T divides the logits by T before "
    "the softmax (larger T: flatter).",
    "Both series must have the same number of volumes (they are paired) and share the spatial grid (size, spacing, "
    "origin, direction within 1e-4). A voxel where either volume is NaN or infinite is left out of that volume's "
    "softmax and MSE. A series is one 4D image or a list of 3D volumes, one per time point, given by repeating the "
    "option. NIfTI files and lists are read front to back, volume by volume, in bounded memory; other 4D formats "
    "(NRRD, MetaImage) are read whole. The voxels are processed in fixed chunks of 4096: results are identical for "
    "any --threads, and --tiles has no effect.",
    "--table writes one line per volume pair (volume index from 0, KL). --summary writes JSON: inputs, options, the "
    "mean (the loss term), std, min, max, median and percentiles of the KL over volumes, and the global MSE, the "
    "mean of (generated - reference)^2 over the mask and all volumes. With --lambda L (MindAligner uses 0.1) the "
    "summary also gives MindAligner's combined loss, MSE + L * mean KL; when a standardization is chosen, that MSE is "
    "of the standardized values (what the softmax sees, before the temperature).",
  };
  d.examples = {
    { "MindAligner's loss terms for a model's output against the real series (data already z-scored)",
      "SpatialKLDivergence --reference real.nii.gz --generated generated.nii.gz --mask brain.nii.gz --lambda 0.1 "
      "--table per_volume.tsv --summary spatial_kl.json" },
    { "Raw BOLD series: z-score each volume over the mask first",
      "SpatialKLDivergence --reference sub-01_bold.nii.gz --generated sub-01_aligned.nii.gz --mask brain.nii.gz "
      "--standardize volume --table per_volume.tsv" },
    { "The other direction, KL(reference || generated), with a softer softmax",
      "SpatialKLDivergence --reference real.nii.gz --generated generated.nii.gz --direction forward --standardize "
      "voxel --temperature 2" },
  };
  d.AddGroup("Inputs", "The two paired series")
    .Add(Parameter::InputImage("reference",
                               "Reference series",
                               "The real fMRI series: a 4D image, or one 3D volume per "
                               "time point with the option repeated.")
           .Required()
           .Multiple())
    .Add(Parameter::InputImage("generated",
                               "Generated series",
                               "The series produced by the model, on the reference's grid and with "
                               "as many volumes; same forms as --reference.")
           .Required()
           .Multiple())
    .Add(Parameter::InputImage("mask",
                               "Mask",
                               "A 3D image on the same grid; the softmax runs over its nonzero "
                               "voxels (default: all voxels)."));
  d.AddGroup("Outputs", "Where the results go")
    .Add(Parameter::OutputFile(
      "table", "Per-volume table", "A TSV table: header `volume<TAB>kl`, one line per volume pair.", { ".tsv" }))
    .Add(Parameter::OutputFile("summary",
                               "Summary",
                               "A JSON summary: inputs, options, the distribution of the KL over "
                               "volumes (mean = the loss term), the global MSE and the combined loss.",
                               { ".json" }));
  voxelkl::AddReportOption(d.groups.back(), "the KL and the MSE of each volume pair over time, and the summary");
  d.AddGroup("Options", "How the divergence is computed")
    .Add(Parameter::Enumeration("direction",
                                "Direction",
                                "reverse = KL(generated || reference) (MindAligner), forward = "
                                "KL(reference || generated), symmetric = their sum.",
                                { "reverse", "forward", "symmetric" },
                                "reverse"))
    .Add(Parameter::Enumeration("standardize",
                                "Standardize",
                                "none = the values as they are; voxel = z-score each voxel over time; "
                                "volume = z-score each volume over the mask. Raw BOLD needs one of them: "
                                "its softmax is an argmax.",
                                { "none", "voxel", "volume" },
                                "none"))
    .Add(Parameter::Double("temperature", "Temperature", "logits = values / T, T > 0.", 1.0))
    .Add(Parameter::Double("lambda",
                           "Lambda",
                           "Weight of the KL in MindAligner's loss, MSE + lambda * mean KL (MindAligner: 0.1); "
                           "given, the summary reports that loss."));
  voxelkl::AddExecutionOptions(d);
  d.AddReturnValue(voxelkl::ReturnValue::Double(
                     "meanSpatialKL", "Mean spatial KL", "Mean of the per-volume KL, in nats: the loss term."))
    .AddReturnValue(
      voxelkl::ReturnValue::Double("medianSpatialKL", "Median spatial KL", "Median of the per-volume KL, in nats."))
    .AddReturnValue(voxelkl::ReturnValue::Double(
      "globalMSE", "Global MSE", "Mean of (generated - reference)^2 over the mask and all volumes."))
    .AddReturnValue(voxelkl::ReturnValue::Double(
      "combinedLoss", "Combined loss", "MSE + lambda * mean KL (MindAligner's loss), with --lambda only."))
    .AddReturnValue(voxelkl::ReturnValue::Integer("volumes", "Volumes", "Volume pairs with a KL."));
  return d;
}

int
Run(const voxelkl::ParsedArguments & args)
{
  voxelkl::SpatialKLJob job;
  job.execution = voxelkl::ReadExecutionOptions(args);
  job.direction = voxelkl::ParseKLDirection(args.GetString("direction"));
  job.standardize = voxelkl::ParseStandardization(args.GetString("standardize"));
  job.temperature = args.GetDouble("temperature");
  if (!(job.temperature > 0.0) || !std::isfinite(job.temperature))
  {
    throw voxelkl::UsageError(fmt::format("--temperature must be a positive number, not {}", job.temperature));
  }
  const auto lambda = args.GetOptionalDouble("lambda");
  if (lambda && (!(*lambda >= 0.0) || !std::isfinite(*lambda)))
  {
    throw voxelkl::UsageError(fmt::format("--lambda must be a number >= 0, not {}", *lambda));
  }
  // Inputs first: an output that would replace one is refused before any work.
  voxelkl::OutputTransaction outputs;
  outputs.ProtectInputs(args.GetStrings("reference"), "--reference");
  outputs.ProtectInputs(args.GetStrings("generated"), "--generated");
  outputs.ProtectInput(args.GetOptionalString("mask").value_or(""), "--mask");
  const auto        table = args.GetOptionalString("table");
  const std::string tableFile = table ? outputs.Stage(*table, "--table") : "";
  const auto        summary = args.GetOptionalString("summary");
  if (summary)
  {
    outputs.Stage(*summary, "--summary");
  }
  const auto report = voxelkl::StageReport(args, outputs);
  const auto returnParameters = args.ReturnParameterFile();
  if (returnParameters)
  {
    outputs.Stage(*returnParameters, "--returnparameterfile");
  }

  job.reference = voxelkl::InspectSeries(args.GetStrings("reference"));
  job.generated = voxelkl::InspectSeries(args.GetStrings("generated"));
  voxelkl::RequirePairedSeries(job.reference, job.generated);
  voxelkl::RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  job.mask = voxelkl::LoadMask(args.GetOptionalString("mask").value_or(""), job.reference.Name(), job.reference.grid);

  voxelkl::ProgressBar bar("SpatialKLDivergence");
  job.execution.progress = [&bar](double fraction) { bar.Update(fraction); };
  const auto result = voxelkl::ComputeSpatialKL(job);
  bar.Finish();

  const auto statistics = voxelkl::ComputeSpatialKLStatistics(job, result);
  if (statistics.kl.count == 0)
  {
    throw voxelkl::InputError(job.reference.Name() + " and " + job.generated.Name() +
                              ": no volume has a voxel inside the mask where both series are finite");
  }
  if (table)
  {
    voxelkl::WriteSpatialKLTable(result, tableFile, *table);
  }
  const nlohmann::json document = voxelkl::MakeSpatialKLSummary(job, result, statistics, lambda);
  if (summary)
  {
    outputs.Write(*summary, document.dump(2) + '\n');
  }
  if (report)
  {
    voxelkl::ReportContent content;
    content.tool = "SpatialKLDivergence";
    content.spatialSummary = document;
    content.spatialSummarySource = summary ? *summary : "this run";
    voxelkl::SpatialSeries series;
    series.source = table ? "this run (--table " + *table + ")" : "this run";
    for (const voxelkl::SpatialKLVolume & volume : result.volumes)
    {
      series.kl.push_back(volume.kl);
      series.mse.push_back(volume.voxels > 0 ? volume.squaredError / static_cast<double>(volume.voxels)
                                             : std::numeric_limits<double>::quiet_NaN());
    }
    content.spatial = std::move(series);
    outputs.Write(*report, voxelkl::MakeHtmlReport(content));
  }
  std::vector<std::pair<std::string, std::string>> values{
    { "meanSpatialKL", fmt::format("{}", statistics.kl.mean) },
    { "medianSpatialKL", fmt::format("{}", statistics.kl.median) },
    { "globalMSE", fmt::format("{}", statistics.globalMSE) },
  };
  std::optional<voxelkl::CombinedLoss> loss;
  if (lambda)
  {
    loss = voxelkl::MakeCombinedLoss(statistics, *lambda);
    values.emplace_back("combinedLoss", fmt::format("{}", loss->total));
  }
  values.emplace_back("volumes", fmt::format("{}", statistics.kl.count));
  if (returnParameters)
  {
    outputs.Write(*returnParameters, voxelkl::FormatReturnParameters(values));
  }
  outputs.Commit();

  const char * meaning = job.direction == voxelkl::KLDirection::Reverse   ? "KL(generated || reference)"
                         : job.direction == voxelkl::KLDirection::Forward ? "KL(reference || generated)"
                                                                          : "symmetric";
  std::cout << fmt::format("Spatial KL ({}, nats), mean over {} volumes (the loss term): {}\n",
                           meaning,
                           statistics.kl.count,
                           statistics.kl.mean);
  std::cout << fmt::format("Global MSE over the mask and all volumes: {}\n", statistics.globalMSE);
  if (loss)
  {
    std::cout << fmt::format(
      "MindAligner loss: MSE {} + {} * KL {} = {}\n", loss->mse, loss->lambda, loss->spatialKL, loss->total);
  }
  if (statistics.emptyVolumes > 0)
  {
    std::cout << fmt::format("{} volumes without a voxel finite in both series (KL undefined, left out)\n",
                             statistics.emptyVolumes);
  }
  if (table)
  {
    std::cout << "Table: " << *table << '\n';
  }
  if (summary)
  {
    std::cout << "Summary: " << *summary << '\n';
  }
  if (report)
  {
    std::cout << "Report: " << *report << '\n';
  }
  if (!returnParameters)
  {
    voxelkl::WriteReturnParameters("", values);
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
