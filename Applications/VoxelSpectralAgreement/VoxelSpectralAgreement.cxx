// VoxelSpectralAgreement: does the generated signal have the temporal structure of real BOLD,
// voxel by voxel? Welch spectra, ALFF/fALFF and autocorrelation of both series.
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionArguments.h"
#include "voxelkl/ImageGrid.h"
#include "voxelkl/KLSummary.h"
#include "voxelkl/MapWriter.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ProgressBar.h"
#include "voxelkl/RegionOptions.h"
#include "voxelkl/RegionTableWriter.h"
#include "voxelkl/ReturnParameters.h"
#include "voxelkl/RunCommand.h"
#include "voxelkl/SampleSummary.h"
#include "voxelkl/SpectralJob.h"

#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <sstream>

namespace
{
using voxelkl::Parameter;
using voxelkl::SpectralMap;

constexpr int MaximumSegmentLength = 65536;

voxelkl::CommandDescription
Describe()
{
  voxelkl::CommandDescription d = voxelkl::MakeCommandDescription(
    "VoxelSpectralAgreement",
    "Voxel-wise spectral agreement",
    "compare the temporal structure (power spectra, ALFF/fALFF, autocorrelation) of a generated and a reference "
    "fMRI series, voxel by voxel");
  d.description = {
    "A generated series can have each voxel's distribution right and still be wrong as brain signal: white noise "
    "where real BOLD is dominated by slow (0.01-0.1 Hz) fluctuations. At each voxel this estimates the power "
    "spectrum of both series (Welch: segments of --segmentLength samples overlapping by --overlap, each with its "
    "least-squares line removed and a periodic Hann window, |FFT|^2 scaled to a one-sided density in units^2/Hz and "
    "averaged over segments: scipy.signal.welch(x, fs=1/TR, window='hann', nperseg, noverlap, detrend='linear'); "
    "with several runs, segments are taken within each run) and writes the maps asked for.",
    "--logSpectralDistance: sqrt(mean over frequencies of (10 log10(P_gen / P_ref))^2), in dB, over the bins from "
    "the first above 0 Hz to Nyquist. --spectralKL: the KL divergence between the two spectra normalised to sum 1 "
    "over the same bins (the spectrum as a distribution over frequency; --direction as VoxelKLDivergence). Each "
    "spectrum is floored at 1e-12 of its largest bin, so an empty bin gives a large finite value. --alffRatio and "
    "--falffRatio: generated / reference of ALFF, the sum of the amplitudes sqrt(P) over the bins in --band (AFNI "
    "3dRSFC sums the band's amplitudes), and of fALFF, ALFF over the sum of the amplitudes of every bin above 0 Hz; "
    "below 1 where the generated signal lacks slow fluctuations.",
    "--autocorrelationReference, --autocorrelationGenerated, --autocorrelationDifference (generated - reference): "
    "the lag --lag autocorrelation of each series about its least-squares line (for several runs, each run about "
    "its own line, pooled), over pairs of finite samples: the estimate behind the k-NN Theiler window.",
    "The repetition time comes from the header (NIfTI pixdim[4] in its xyzt_units; the 4th spacing of NRRD and "
    "MetaImage; unknown units are taken as seconds); --repetitionTime overrides it, and is needed for lists of 3D "
    "volumes. The series need not have the same length (they are not paired) but share the grid and the "
    "repetition time. A voxel where a series has a non-finite sample has no spectrum, and one whose series is "
    "constant or a straight line has no power: both are counted in the summary (and in --status) and written as 0 "
    "in the spectral maps. Results are identical for any --threads and --tiles.",
  };
  d.examples = {
    { "Spectral and autocorrelation maps of a model's output against the real series",
      "VoxelSpectralAgreement --reference sub-01_bold.nii.gz --generated sub-01_gen.nii.gz --mask brain.nii.gz "
      "--spectralKL skl.nii.gz --alffRatio alff.nii.gz --falffRatio falff.nii.gz --autocorrelationDifference "
      "dphi.nii.gz --summary spectral.json" },
    { "Longer segments for finer frequencies, an explicit TR and band",
      "VoxelSpectralAgreement --reference real.nii.gz --generated gen.nii.gz --segmentLength 200 --overlap 100 "
      "--repetitionTime 0.72 --band 0.01,0.08 --logSpectralDistance lsd.nii.gz" },
  };
  d.AddGroup("Inputs", "The two series")
    .Add(Parameter::InputImage("reference",
                               "Reference series",
                               "The real fMRI series: a 4D image, several 4D runs, or one 3D volume per time point, "
                               "with the option repeated.")
           .Required()
           .Multiple())
    .Add(Parameter::InputImage("generated",
                               "Generated series",
                               "The series produced by the model, on the reference's grid; same forms as "
                               "--reference.")
           .Required()
           .Multiple())
    .Add(Parameter::InputImage("mask", "Mask", "A 3D image on the same grid; only its nonzero voxels are computed."));
  d.AddGroup("Spectral maps", "From the Welch spectra of both series")
    .Add(Parameter::OutputImage("logSpectralDistance", "Log-spectral distance", "In dB (see the description)."))
    .Add(Parameter::OutputImage("spectralKL", "Spectral KL", "KL between the normalised spectra, in nats."))
    .Add(Parameter::OutputImage("alffRatio", "ALFF ratio", "ALFF of the generated series over the reference's."))
    .Add(Parameter::OutputImage("falffRatio", "fALFF ratio", "fALFF of the generated series over the reference's."))
    .Add(Parameter::OutputImage("referenceSpectrum",
                                "Reference spectra",
                                "Every voxel's Welch density as a 4D image, bin k (k / (L TR) Hz) along the 4th "
                                "axis, whose spacing is the bin width in Hz."))
    .Add(Parameter::OutputImage("generatedSpectrum", "Generated spectra", "The same for the generated series."));
  d.AddGroup("Autocorrelation maps", "About each series' linear trend")
    .Add(Parameter::OutputImage("autocorrelationReference", "Reference autocorrelation", "Lag --lag, reference."))
    .Add(Parameter::OutputImage("autocorrelationGenerated", "Generated autocorrelation", "Lag --lag, generated."))
    .Add(Parameter::OutputImage(
      "autocorrelationDifference", "Autocorrelation difference", "Generated minus reference autocorrelation."));
  d.AddGroup("Outputs", "Status and summary")
    .Add(Parameter::OutputImage(
      "status", "Status", "Per voxel: 0 outside the mask, 1 valid, 2 a non-finite sample, 3 no power (uint8)."))
    .Add(Parameter::OutputFile("summary",
                               "Summary",
                               "A JSON summary: inputs, repetition time, segments and frequencies, voxel counts, "
                               "and the distribution of every map over valid voxels.",
                               { ".json" }));
  d.AddGroup("Options", "How the spectra are estimated")
    .Add(Parameter::Integer("segmentLength",
                            "Segment length",
                            "Samples per Welch segment; 0 (default): min(T, 128), T the shorter series.",
                            0))
    .Add(Parameter::Integer(
      "overlap", "Overlap", "Samples shared by consecutive segments; -1 (default): half a segment.", -1))
    .Add(Parameter::String(
      "band", "Band", "The low-frequency band of ALFF and fALFF, 'low,high' in Hz, inside (0, Nyquist].", "0.01,0.1"))
    .Add(Parameter::Double("repetitionTime",
                           "Repetition time",
                           "Seconds between volumes, overriding the headers' (needed for lists of 3D volumes)."))
    .Add(Parameter::Integer("lag", "Lag", "Lag of the autocorrelation maps, in volumes.", 1))
    .Add(Parameter::Enumeration("direction",
                                "Direction",
                                "Of the spectral KL: forward = KL(reference || generated), reverse = "
                                "KL(generated || reference), symmetric = their sum.",
                                { "forward", "reverse", "symmetric" },
                                "forward"));
  voxelkl::AddRegionOptions(d);
  voxelkl::AddExecutionOptions(d);
  d.AddReturnValue(voxelkl::ReturnValue::Double(
                     "medianSpectralKL", "Median spectral KL", "Median spectral KL over valid voxels, in nats."))
    .AddReturnValue(voxelkl::ReturnValue::Double(
      "medianAlffRatio", "Median ALFF ratio", "Median generated/reference ALFF over valid voxels."))
    .AddReturnValue(voxelkl::ReturnValue::Integer("validVoxels", "Valid voxels", "Voxels with both spectra."));
  return d;
}

voxelkl::FrequencyBand
ParseBand(const std::string & text)
{
  voxelkl::FrequencyBand band;
  std::istringstream     stream(text);
  char                   comma = 0;
  if (!(stream >> band.low >> comma >> band.high) || comma != ',' || !(stream >> std::ws).eof())
  {
    throw voxelkl::UsageError("--band must be 'low,high' in Hz (e.g. 0.01,0.1), not '" + text + "'");
  }
  return band;
}

// The repetition time both series share (or the one given): a one-line error otherwise.
double
RepetitionTime(const voxelkl::ParsedArguments & args, const voxelkl::SpectralJob & job)
{
  if (const auto given = args.GetOptionalDouble("repetitionTime"))
  {
    if (!(*given > 0.0) || !std::isfinite(*given))
    {
      throw voxelkl::UsageError(fmt::format("--repetitionTime must be a positive number of seconds, not {}", *given));
    }
    return *given;
  }
  for (const voxelkl::SeriesInfo * series : { &job.reference, &job.generated })
  {
    if (!(series->timeStep > 0.0))
    {
      throw voxelkl::InputError(series->Name(),
                                "gives no repetition time (pixdim[4] is 0, a list of 3D volumes, or runs with "
                                "different ones): give --repetitionTime");
    }
  }
  if (std::fabs(job.reference.timeStep - job.generated.timeStep) > 1e-6 * job.reference.timeStep)
  {
    throw voxelkl::InputError(fmt::format("{} and {} have different repetition times ({} s and {} s): their "
                                          "frequencies differ (give --repetitionTime to take one for both)",
                                          job.reference.Name(),
                                          job.generated.Name(),
                                          job.reference.timeStep,
                                          job.generated.timeStep));
  }
  return job.reference.timeStep;
}

// The shortest run of a series: every run must hold a whole segment.
std::size_t
ShortestRun(const voxelkl::SeriesInfo & series)
{
  std::size_t shortest = series.timePoints;
  for (const voxelkl::SeriesInfo & run : series.runs)
  {
    shortest = std::min(shortest, run.timePoints);
  }
  return shortest;
}

voxelkl::WelchSettings
ReadWelch(const voxelkl::ParsedArguments & args, const voxelkl::SpectralJob & job, double tr)
{
  const std::size_t shortest = std::min(ShortestRun(job.reference), ShortestRun(job.generated));
  const int         length = args.GetInt("segmentLength");
  const int         overlap = args.GetInt("overlap");
  if (length < 0 || length == 1 || length > MaximumSegmentLength)
  {
    throw voxelkl::UsageError(
      fmt::format("--segmentLength must be 0 (automatic) or 2 to {}, not {}", MaximumSegmentLength, length));
  }
  voxelkl::WelchSettings settings = voxelkl::WelchSettings::ForLength(shortest, tr);
  if (length > 0)
  {
    settings.segmentLength = static_cast<std::size_t>(length);
    settings.overlap = settings.segmentLength / 2;
  }
  if (overlap >= 0)
  {
    if (static_cast<std::size_t>(overlap) >= settings.segmentLength)
    {
      throw voxelkl::UsageError(
        fmt::format("--overlap must be below the segment length ({}), not {}", settings.segmentLength, overlap));
    }
    settings.overlap = static_cast<std::size_t>(overlap);
  }
  else if (overlap != -1)
  {
    throw voxelkl::UsageError(fmt::format("--overlap must be -1 (half a segment) or 0 or more, not {}", overlap));
  }
  if (settings.segmentLength < 8 || shortest < settings.segmentLength)
  {
    for (const voxelkl::SeriesInfo * series : { &job.reference, &job.generated })
    {
      if (ShortestRun(*series) < std::max<std::size_t>(settings.segmentLength, 8))
      {
        throw voxelkl::InputError(
          series->Name(),
          fmt::format("has {} time points{}: too few for one Welch segment of {} (at least 8 needed)",
                      ShortestRun(*series),
                      series->runs.empty() ? "" : " in its shortest run",
                      std::max<std::size_t>(settings.segmentLength, 8)));
      }
    }
  }
  return settings;
}

// The spectra as a 4D float image on the series' grid, bin k along the 4th axis.
itk::Image<float, 4>::Pointer
SpectraImage(const std::vector<float> &     spectra,
             const voxelkl::SpatialGrid &   grid,
             const voxelkl::WelchSettings & welch)
{
  using Image = itk::Image<float, 4>;
  auto                 image = Image::New();
  Image::SizeType      size;
  Image::SpacingType   spacing;
  Image::PointType     origin;
  Image::DirectionType direction;
  direction.SetIdentity();
  for (unsigned int i = 0; i < 3; ++i)
  {
    size[i] = grid.size[i];
    spacing[i] = grid.spacing[i];
    origin[i] = grid.origin[i];
    for (unsigned int j = 0; j < 3; ++j)
    {
      direction[j][i] = grid.direction[j * 3 + i];
    }
  }
  size[3] = welch.Bins();
  spacing[3] = welch.Frequency(1);
  origin[3] = 0.0;
  image->SetRegions(size);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  std::copy(spectra.begin(), spectra.end(), image->GetBufferPointer());
  return image;
}

int
Run(const voxelkl::ParsedArguments & args)
{
  voxelkl::SpectralJob job;
  job.execution = voxelkl::ReadExecutionOptions(args);
  job.direction = voxelkl::ParseKLDirection(args.GetString("direction"));
  job.band = ParseBand(args.GetString("band"));
  const int lag = args.GetInt("lag");
  if (lag < 1 || lag > 10000)
  {
    throw voxelkl::UsageError(fmt::format("--lag must be 1 to 10000 volumes, not {}", lag));
  }
  job.lag = static_cast<std::size_t>(lag);

  voxelkl::OutputTransaction outputs;
  outputs.ProtectInputs(args.GetStrings("reference"), "--reference");
  outputs.ProtectInputs(args.GetStrings("generated"), "--generated");
  outputs.ProtectInput(args.GetOptionalString("mask").value_or(""), "--mask");
  const auto &                                     names = voxelkl::SpectralMapNames();
  std::vector<std::pair<std::size_t, std::string>> requested; // (map, staged file)
  for (std::size_t m = 0; m < names.size(); ++m)
  {
    if (const auto path = args.GetOptionalString(names[m]))
    {
      voxelkl::RequireImageOutputName(names[m], *path);
      requested.emplace_back(m, outputs.Stage(*path, std::string("--") + names[m]));
    }
  }
  std::vector<std::pair<std::string, std::string>> other; // (option, staged file) of images
  for (const char * option : { "status", "referenceSpectrum", "generatedSpectrum" })
  {
    if (const auto path = args.GetOptionalString(option))
    {
      voxelkl::RequireImageOutputName(option, *path);
      other.emplace_back(option, outputs.Stage(*path, std::string("--") + option));
    }
  }
  const auto summary = args.GetOptionalString("summary");
  if (summary)
  {
    outputs.Stage(*summary, "--summary");
  }
  const auto returnParameters = args.ReturnParameterFile();
  if (returnParameters)
  {
    outputs.Stage(*returnParameters, "--returnparameterfile");
  }
  if (requested.empty() && other.empty() && !summary && !args.Has("regionTable"))
  {
    throw voxelkl::UsageError("no output requested: give a map (e.g. --spectralKL), --summary or --regionTable");
  }

  job.reference = voxelkl::InspectSeries(args.GetStrings("reference"));
  job.generated = voxelkl::InspectSeries(args.GetStrings("generated"));
  voxelkl::RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  const double tr = RepetitionTime(args, job);
  job.welch = ReadWelch(args, job, tr);
  if (!(job.band.low > 0.0) || !(job.band.high > job.band.low) || job.band.high > job.welch.Nyquist())
  {
    throw voxelkl::UsageError(fmt::format("--band {},{} must lie in (0, Nyquist = {} Hz] with low < high",
                                          job.band.low,
                                          job.band.high,
                                          job.welch.Nyquist()));
  }
  if (voxelkl::BandBins(job.welch, job.band).second == 0)
  {
    throw voxelkl::UsageError(fmt::format("--band {},{} holds no frequency bin of segments of {} samples (bins every "
                                          "{} Hz): widen it or lengthen --segmentLength",
                                          job.band.low,
                                          job.band.high,
                                          job.welch.segmentLength,
                                          job.welch.Frequency(1)));
  }
  job.spectra = args.Has("referenceSpectrum") || args.Has("generatedSpectrum");
  job.mask = voxelkl::LoadMask(args.GetOptionalString("mask").value_or(""), job.reference.Name(), job.reference.grid);
  const voxelkl::RegionRequest regions(args, job.reference.Name(), job.reference.grid, outputs);

  voxelkl::ProgressBar bar("VoxelSpectralAgreement");
  job.execution.progress = [&bar](double fraction) { bar.Update(fraction); };
  const voxelkl::SpectralMaps maps = voxelkl::ComputeSpectralMaps(job);
  bar.Finish();

  const bool unoriented = voxelkl::IsUnorientedNifti(job.reference.files.front());
  for (const auto & [m, file] : requested)
  {
    voxelkl::WriteMap(maps.maps[m], file, args.GetString(names[m]), unoriented);
  }
  for (const auto & [option, file] : other)
  {
    if (option == std::string("status"))
    {
      auto status = itk::Image<float, 3>::New();
      voxelkl::ApplyGrid(job.reference.grid, status);
      status->Allocate();
      std::copy_n(maps.status->GetBufferPointer(), job.reference.grid.VoxelCount(), status->GetBufferPointer());
      voxelkl::WriteMap(status, file, args.GetString(option), unoriented);
    }
    else
    {
      const auto & spectra = option == std::string("referenceSpectrum") ? maps.referenceSpectra : maps.generatedSpectra;
      voxelkl::WriteMap(SpectraImage(spectra, job.reference.grid, job.welch), file, args.GetString(option), unoriented);
    }
  }

  // Counts by status, and every map over the valid voxels.
  std::size_t                counts[4] = { 0, 0, 0, 0 };
  std::vector<unsigned char> valid(job.reference.grid.VoxelCount());
  for (std::size_t v = 0; v < valid.size(); ++v)
  {
    const unsigned char status = maps.status->GetBufferPointer()[v];
    ++counts[status];
    valid[v] = status == static_cast<unsigned char>(voxelkl::SpectralStatus::Valid);
  }
  nlohmann::json                      distributions = nlohmann::json::object();
  std::vector<voxelkl::SampleSummary> summaries(names.size());
  for (std::size_t m = 0; m < names.size(); ++m)
  {
    std::vector<double> values;
    values.reserve(counts[1]);
    for (std::size_t v = 0; v < valid.size(); ++v)
    {
      if (valid[v])
      {
        values.push_back(maps.maps[m]->GetBufferPointer()[v]);
      }
    }
    summaries[m] = voxelkl::Summarize(std::move(values));
    distributions[names[m]] = voxelkl::ToJson(summaries[m]);
  }
  const auto [firstBin, lastBin] = voxelkl::BandBins(job.welch, job.band);
  nlohmann::json document = {
    { "tool", "VoxelSpectralAgreement" },
    { "version", voxelkl::ProjectVersion() },
    { "inputs",
      { { "reference", voxelkl::DescribeSeries(job.reference) },
        { "generated", voxelkl::DescribeSeries(job.generated) },
        { "mask", job.mask.image ? nlohmann::json(job.mask.path) : nlohmann::json(nullptr) } } },
    { "options",
      { { "repetitionTime", tr },
        { "repetitionTimeFrom", args.Has("repetitionTime") ? "--repetitionTime" : "header" },
        { "segmentLength", job.welch.segmentLength },
        { "overlap", job.welch.overlap },
        { "segments",
          { { "reference", job.welch.SegmentsIn(job.reference.timePoints) },
            { "generated", job.welch.SegmentsIn(job.generated.timePoints) } } },
        { "window", "hann (periodic)" },
        { "detrend", "linear, per segment" },
        { "scaling", "density, one-sided (units^2/Hz)" },
        { "binWidthHz", job.welch.Frequency(1) },
        { "nyquistHz", job.welch.Nyquist() },
        { "band", { job.band.low, job.band.high } },
        { "bandBinsHz", { job.welch.Frequency(firstBin), job.welch.Frequency(lastBin - 1) } },
        { "direction", voxelkl::ToString(job.direction) },
        { "lag", job.lag },
        { "threads", maps.report.threads },
        { "readMode", maps.report.readMode },
        { "tiles", maps.report.tiles } } },
    { "voxels",
      { { "total", valid.size() },
        { "inMask", valid.size() - counts[0] },
        { "valid", counts[1] },
        { "nonFinite", counts[2] },
        { "noPower", counts[3] } } },
    { "mapsOver", "valid voxels: in the mask, both series finite with power beyond their linear trend" },
    { "maps", distributions },
  };
  if (regions.Requested())
  {
    std::vector<voxelkl::RegionMap> regionMaps;
    for (std::size_t m = 0; m < names.size(); ++m)
    {
      regionMaps.push_back({ names[m], maps.maps[m].GetPointer(), valid });
    }
    document["regions"] = voxelkl::ToJson(regions.Write(regionMaps, job.mask.inside));
  }
  if (summary)
  {
    outputs.Write(*summary, document.dump(2) + '\n');
  }
  const std::vector<std::pair<std::string, std::string>> returnValues{
    { "medianSpectralKL", fmt::format("{}", summaries[static_cast<std::size_t>(SpectralMap::SpectralKL)].median) },
    { "medianAlffRatio", fmt::format("{}", summaries[static_cast<std::size_t>(SpectralMap::AlffRatio)].median) },
    { "validVoxels", fmt::format("{}", counts[1]) }
  };
  if (returnParameters)
  {
    outputs.Write(*returnParameters, voxelkl::FormatReturnParameters(returnValues));
  }
  outputs.Commit();

  std::cout << fmt::format("Welch: TR {} s, segments of {} samples ({} overlap), bins every {:.6g} Hz to {:.6g} Hz\n",
                           tr,
                           job.welch.segmentLength,
                           job.welch.overlap,
                           job.welch.Frequency(1),
                           job.welch.Nyquist());
  std::cout << fmt::format("Voxels: {} in mask, {} valid, {} with a non-finite sample, {} without power\n",
                           valid.size() - counts[0],
                           counts[1],
                           counts[2],
                           counts[3]);
  for (const auto & [m, file] : requested)
  {
    std::cout << names[m] << ": " << args.GetString(names[m]) << '\n';
  }
  if (summary)
  {
    std::cout << "Summary: " << *summary << '\n';
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
  voxelkl::RegisterNiftiImageIO(voxelkl::NiftiClaim::EveryNiftiFile);
  return voxelkl::RunCommand(Describe(), argc, argv, Run);
}
