// VoxelKLDemoPair: writes a synthetic reference/generated 4D fMRI pair whose differences
// are known voxel by voxel (README demo, Testing/Benchmarks/kl_benchmark.sh).
//
// Geometry: MNI-like. The index axes run along +x right, +y anterior, +z superior (ITK
// direction diag(-1, -1, 1) in LPS), the centre of the grid is at RAS (0, -18, 18) mm, so
// 91x109x91 at 2 mm gives the MNI152 origin RAS (-90, -126, -72). The 4th spacing is TR.
//
// Model. u are normalised coordinates (+x right, +y anterior, +z superior) in which the
// brain is the ellipsoid |u| <= 1 centred in the field of view, with semi-axes 42 %, 44 %
// and 40 % of the extent along x, y and z.
//   - Outside the brain both series are exactly 0 (constant voxels).
//   - Baseline b: 1000 + smooth spatial variation (about 880..1120); the "grey matter"
//     shell 0.78 < |u| <= 0.97 is 4 % brighter.
//   - Noise: AR(1) with phi = 0.3, stationary from the first volume, marginal standard
//     deviation 1 % of b (white matter) or 2 % of b (grey matter shell).
//   - Drift: slow linear + cosine drift, about +-0.4 % of b, the same shape everywhere.
//   - Task: 20 s on / 20 s off blocks (first block at 10 s) convolved with the canonical
//     double-gamma HRF, peak 3 % of b (grey matter; 1.2 % in white matter) in a "visual"
//     sphere at the occipital pole, centre u = (0, -0.8, 0), radius 0.32, tapering to 0 at
//     its edge.
// reference and generated are independent noise realisations of this model (same baseline,
// drift and task), except in three spheres. Labels of distortions.nii.gz:
//   0 outside the brain;
//   1 faithful      the rest of the brain (KL ~ 0 up to sampling noise);
//   2 flattened     left frontal, centre (-0.45, 0.55, 0.25), radius 0.30: generated
//                   deviations from the temporal mean scaled by 0.4 (std x 0.4, same mean):
//                   what an MSE-only model produces by averaging;
//   3 mean-shifted  right temporal, centre (0.55, -0.15, -0.2), radius 0.30: generated
//                   baseline +3 %, same variance;
//   4 heavy-tailed  left parietal, centre (-0.3, -0.4, 0.55), radius 0.28: generated noise
//                   innovations Laplace with the same variance (Gaussian KL ~ 0, excess
//                   kurtosis ~ 2.5 instead of 0).
//
// Deterministic for a given seed on a given standard library (std::mt19937_64, one engine
// per series; the random numbers are drawn volume by volume in voxel order).
//
// ITK 5.2's NIfTI writer cannot stream, so each 4D series is generated whole in memory
// (4 bytes per voxel and time point for float32); the two series are generated and written
// in parallel, one thread each.

#include "voxelkl/Errors.h"
#include "voxelkl/ItkGlobals.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/PathText.h"
#include "voxelkl/RunCommand.h"

#include "itkImage.h"
#include "itkImageFileWriter.h"
#include "itkNiftiImageIO.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace
{

constexpr const char * ProgramName = "VoxelKLDemoPair";

using voxelkl::UsageError;

constexpr unsigned int Dimension = 3;
using LabelImageType = itk::Image<std::uint8_t, Dimension>;

enum class Label : std::uint8_t
{
  Outside = 0,
  Faithful = 1,
  Flattened = 2,
  MeanShifted = 3,
  HeavyTailed = 4
};

// ---------------------------------------------------------------------------------------
// Model constants (see the comment at the top of the file).

constexpr double Pi = 3.14159265358979323846;
constexpr double ArCoefficient = 0.3;
constexpr double BaselineLevel = 1000.0;
constexpr double BaselineVariation = 120.0;
constexpr double GreyMatterBrightening = 0.04;
constexpr double WhiteMatterNoise = 0.01;
constexpr double GreyMatterNoise = 0.02;
constexpr double DriftAmplitude = 0.004;
constexpr double TaskAmplitude = 0.03;
constexpr double WhiteMatterTaskFraction = 0.4;
constexpr double GreyMatterInner = 0.78;
constexpr double GreyMatterOuter = 0.97;
constexpr double FlattenedScale = 0.4;
constexpr double MeanShift = 0.03;
constexpr double BlockOnset = 10.0;    // s
constexpr double BlockDuration = 20.0; // s, on and off

constexpr std::array<double, 3> BrainSemiAxes{ 0.42, 0.44, 0.40 }; // fractions of the extent
constexpr std::array<double, 3> GridCentreRas{ 0.0, -18.0, 18.0 }; // mm

struct Sphere
{
  std::array<double, 3> centre;
  double                radius;

  double
  RelativeDistance(const std::array<double, 3> & u) const
  {
    const double dx = u[0] - centre[0];
    const double dy = u[1] - centre[1];
    const double dz = u[2] - centre[2];
    return std::sqrt(dx * dx + dy * dy + dz * dz) / radius;
  }
};

constexpr Sphere VisualRegion{ { 0.0, -0.8, 0.0 }, 0.32 };
constexpr Sphere FlattenedRegion{ { -0.45, 0.55, 0.25 }, 0.30 };
constexpr Sphere MeanShiftedRegion{ { 0.55, -0.15, -0.2 }, 0.30 };
constexpr Sphere HeavyTailedRegion{ { -0.3, -0.4, 0.55 }, 0.28 };

const char * const ModelDescription =
  "Model: brain = ellipsoid (semi-axes 42/44/40 % of the field of view), background exactly 0 in both series. "
  "Baseline ~1000 with smooth spatial variation; AR(1) noise (phi 0.3, sd 1 % of baseline, 2 % in a grey-matter "
  "shell); slow drift; 20 s on/off block task convolved with a double-gamma HRF (3 %) in a visual sphere at the "
  "occipital pole. The two series are independent noise realisations of this model except in three spheres, in "
  "normalised coordinates u (brain |u| <= 1; +x right, +y anterior, +z superior).";
const char * const LabelDescription =
  "distortions.nii.gz labels: 0 outside the brain; 1 faithful, the rest of the brain (KL ~ 0 up to sampling "
  "noise); 2 flattened, left frontal (-0.45, 0.55, 0.25) r 0.30: generated std x 0.4, same mean; 3 mean-shifted, "
  "right temporal (0.55, -0.15, -0.2) r 0.30: generated baseline +3 %; 4 heavy-tailed, left parietal (-0.3, -0.4, "
  "0.55) r 0.28: generated noise Laplace, same variance (Gaussian KL ~ 0, higher moments differ).";

// ---------------------------------------------------------------------------------------
// Options.

struct Options
{
  std::string                outputDirectory;
  std::array<std::size_t, 3> size{ 53, 63, 46 };
  std::size_t                timePoints{ 200 };
  std::array<double, 3>      spacing{ 4.0, 4.0, 4.0 };
  double                     repetitionTime{ 2.0 };
  std::string                type{ "float32" };
  bool                       compress{ false };
  std::uint64_t              seed{ 1 };
};

std::vector<std::string>
SplitList(const std::string & text)
{
  std::vector<std::string> items;
  std::string              item;
  std::istringstream       stream(text);
  while (std::getline(stream, item, ','))
  {
    items.push_back(item);
  }
  if (!text.empty() && text.back() == ',')
  {
    items.emplace_back();
  }
  return items;
}

/** A non-negative integer written in decimal digits only. */
std::uint64_t
ParseUnsigned(const std::string & text, const std::string & option)
{
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos)
  {
    throw UsageError("--" + option + ": '" + text + "' is not a non-negative integer");
  }
  return std::stoull(text);
}

double
ParsePositive(const std::string & text, const std::string & option)
{
  std::size_t used = 0;
  double      value = 0.0;
  try
  {
    value = std::stod(text, &used);
  }
  catch (const std::exception &)
  {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(value) || value <= 0.0)
  {
    throw UsageError("--" + option + ": '" + text + "' is not a positive number");
  }
  return value;
}

std::array<std::size_t, 3>
ParseSize(const std::string & text)
{
  const std::vector<std::string> items = SplitList(text);
  if (items.size() != 3)
  {
    throw UsageError("--size: expected X,Y,Z (three positive integers), got '" + text + "'");
  }
  std::array<std::size_t, 3> size{};
  for (unsigned int axis = 0; axis < 3; ++axis)
  {
    const std::uint64_t value = ParseUnsigned(items[axis], "size");
    if (value < 1 || value > 32767)
    {
      throw UsageError("--size: each extent must be between 1 and 32767, got '" + text + "'");
    }
    size[axis] = static_cast<std::size_t>(value);
  }
  return size;
}

/** "S" (isotropic voxels), "X,Y,Z" or "X,Y,Z,TR" in mm and s. */
void
ParseSpacing(const std::string & text, Options & options)
{
  const std::vector<std::string> items = SplitList(text);
  if (items.size() != 1 && items.size() != 3 && items.size() != 4)
  {
    throw UsageError("--spacing: expected S, X,Y,Z or X,Y,Z,TR, got '" + text + "'");
  }
  for (unsigned int axis = 0; axis < 3; ++axis)
  {
    options.spacing[axis] = ParsePositive(items.size() == 1 ? items[0] : items[axis], "spacing");
  }
  if (items.size() == 4)
  {
    options.repetitionTime = ParsePositive(items[3], "spacing");
  }
}

voxelkl::CommandDescription
Describe()
{
  using voxelkl::Parameter;
  voxelkl::CommandDescription d = voxelkl::MakeCommandDescription(
    ProgramName, "Demo fMRI pair", "write a synthetic reference/generated 4D fMRI pair with known distortions");
  d.description = { "Writes reference.nii[.gz], generated.nii[.gz], mask.nii.gz (uint8 brain mask) and "
                    "distortions.nii.gz (uint8 labels) into the output directory, all four or none.",
                    ModelDescription,
                    LabelDescription };
  d.examples = { { "The README's demo pair", "VoxelKLDemoPair --outputDirectory demo --compress" },
                 { "The benchmark pair: the 2 mm MNI grid, 300 volumes",
                   "VoxelKLDemoPair --outputDirectory bench --size 91,109,91 --spacing 2,2,2,2 --timePoints 300" } };
  d.AddGroup("Output", "Where the pair goes")
    .Add(Parameter::String("outputDirectory", "Output directory", "Created if missing.").Required())
    .Add(Parameter::Boolean("compress", "Compress", "Write the series as .nii.gz instead of .nii."));
  d.AddGroup("Model", "The grid and the series")
    .Add(Parameter::String("size", "Size", "X,Y,Z voxels (default: ~4 mm MNI-like).", std::string("53,63,46")))
    .Add(Parameter::Integer("timePoints", "Time points", "Number of volumes T, 1 to 32767.", 200))
    .Add(Parameter::String(
      "spacing", "Spacing", "Voxel size in mm and TR in s: S, X,Y,Z or X,Y,Z,TR.", std::string("4,4,4,2")))
    .Add(Parameter::Enumeration("type", "Voxel type", "Voxel type of the series.", { "float32", "int16" }, "float32"))
    .Add(Parameter::String("seed", "Seed", "Random seed, a non-negative integer.", std::string("1")));
  return d;
}

Options
ReadOptions(const voxelkl::ParsedArguments & args)
{
  Options options;
  options.outputDirectory = args.GetString("outputDirectory");
  if (options.outputDirectory.empty())
  {
    throw UsageError("--outputDirectory must not be empty");
  }
  options.compress = args.GetFlag("compress");
  options.size = ParseSize(args.GetString("size"));
  ParseSpacing(args.GetString("spacing"), options);
  const int timePoints = args.GetInt("timePoints");
  if (timePoints < 1 || timePoints > 32767)
  {
    throw UsageError("--timePoints: must be between 1 and 32767, got '" + std::to_string(timePoints) + "'");
  }
  options.timePoints = static_cast<std::size_t>(timePoints);
  options.type = args.GetString("type");
  options.seed = ParseUnsigned(args.GetString("seed"), "seed");
  return options;
}

// ---------------------------------------------------------------------------------------
// The model.

/** The time courses shared by every voxel, one value per volume. */
struct Regressors
{
  std::vector<double> drift;
  std::vector<double> task;
  double              driftMean{ 0.0 };
  double              taskMean{ 0.0 };
};

/** Canonical double-gamma haemodynamic response at t seconds (SPM: peak ~5 s,
 * undershoot ~15 s, ratio 1/6). */
double
HaemodynamicResponse(double t)
{
  if (t <= 0.0)
  {
    return 0.0;
  }
  const double peak = std::pow(t, 5.0) * std::exp(-t) / std::tgamma(6.0);
  const double undershoot = std::pow(t, 15.0) * std::exp(-t) / std::tgamma(16.0);
  return peak - undershoot / 6.0;
}

bool
StimulusOn(double t)
{
  return t >= BlockOnset && std::fmod(t - BlockOnset, 2.0 * BlockDuration) < BlockDuration;
}

Regressors
MakeRegressors(std::size_t timePoints, double repetitionTime)
{
  Regressors regressors;
  regressors.drift.resize(timePoints);
  regressors.task.resize(timePoints);
  constexpr double    step = 0.1;          // s, convolution step
  constexpr double    responseLength = 32; // s
  const auto          responseSteps = static_cast<std::size_t>(responseLength / step);
  std::vector<double> response(responseSteps);
  for (std::size_t k = 0; k < responseSteps; ++k)
  {
    response[k] = HaemodynamicResponse(static_cast<double>(k) * step);
  }
  double peak = 0.0;
  for (std::size_t t = 0; t < timePoints; ++t)
  {
    const double time = static_cast<double>(t) * repetitionTime;
    double       value = 0.0;
    for (std::size_t k = 0; k < responseSteps && static_cast<double>(k) * step <= time; ++k)
    {
      if (StimulusOn(time - static_cast<double>(k) * step))
      {
        value += response[k] * step;
      }
    }
    regressors.task[t] = value;
    peak = std::max(peak, value);

    const double fraction = timePoints > 1 ? static_cast<double>(t) / static_cast<double>(timePoints - 1) : 0.0;
    regressors.drift[t] = (fraction - 0.5) + 0.5 * std::cos(2.0 * Pi * 1.5 * fraction + 0.9);
  }
  for (std::size_t t = 0; t < timePoints; ++t)
  {
    if (peak > 0.0)
    {
      regressors.task[t] /= peak;
    }
    regressors.driftMean += regressors.drift[t];
    regressors.taskMean += regressors.task[t];
  }
  regressors.driftMean /= static_cast<double>(timePoints);
  regressors.taskMean /= static_cast<double>(timePoints);
  return regressors;
}

/** Parameters of one brain voxel of one series:
 *   x(t) = offset + scale * (driftAmplitude * drift(t) + taskAmplitude * task(t) + e(t)),
 *   e(t) = phi * e(t-1) + innovation, var(e) = noiseSd^2. */
struct SeriesVoxel
{
  std::size_t index; // in the 3D volume
  double      offset;
  double      scale;
  double      driftAmplitude;
  double      taskAmplitude;
  double      noiseSd;
  bool        laplace;
};

struct Model
{
  std::vector<std::uint8_t> labels; // one per voxel of the 3D volume
  std::vector<SeriesVoxel>  reference;
  std::vector<SeriesVoxel>  generated;
  Regressors                regressors;
};

double
SmoothField(const std::array<double, 3> & u)
{
  return 0.45 * std::cos(2.1 * u[0] + 0.4) * std::cos(1.7 * u[1] - 0.3) + 0.35 * std::sin(1.9 * u[2] + 0.8 * u[0]) +
         0.2 * std::cos(3.1 * u[1] + 1.3 * u[2]);
}

Label
RegionOf(const std::array<double, 3> & u)
{
  if (FlattenedRegion.RelativeDistance(u) <= 1.0)
  {
    return Label::Flattened;
  }
  if (MeanShiftedRegion.RelativeDistance(u) <= 1.0)
  {
    return Label::MeanShifted;
  }
  if (HeavyTailedRegion.RelativeDistance(u) <= 1.0)
  {
    return Label::HeavyTailed;
  }
  return Label::Faithful;
}

Model
MakeModel(const Options & options)
{
  Model model;
  model.regressors = MakeRegressors(options.timePoints, options.repetitionTime);
  const Regressors & regressors = model.regressors;
  const auto &       size = options.size;
  model.labels.assign(size[0] * size[1] * size[2], static_cast<std::uint8_t>(Label::Outside));

  std::size_t index = 0;
  for (std::size_t k = 0; k < size[2]; ++k)
  {
    for (std::size_t j = 0; j < size[1]; ++j)
    {
      for (std::size_t i = 0; i < size[0]; ++i, ++index)
      {
        const std::array<std::size_t, 3> voxel{ i, j, k };
        std::array<double, 3>            u{};
        for (unsigned int axis = 0; axis < 3; ++axis)
        {
          const double n = static_cast<double>(size[axis]);
          u[axis] = (static_cast<double>(voxel[axis]) - 0.5 * (n - 1.0)) / (BrainSemiAxes[axis] * n);
        }
        const double radius = std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
        if (radius > 1.0)
        {
          continue;
        }
        const bool   greyMatter = radius > GreyMatterInner && radius <= GreyMatterOuter;
        const double baseline =
          (BaselineLevel + BaselineVariation * SmoothField(u)) * (greyMatter ? 1.0 + GreyMatterBrightening : 1.0);
        const double visual = VisualRegion.RelativeDistance(u);
        const double taskWeight =
          visual < 1.0 ? (1.0 - visual * visual) * (greyMatter ? 1.0 : WhiteMatterTaskFraction) : 0.0;
        const double driftWeight = 0.75 + 0.25 * std::cos(1.3 * u[0] - 0.8 * u[2]);

        SeriesVoxel reference{};
        reference.index = index;
        reference.offset = baseline;
        reference.scale = 1.0;
        reference.driftAmplitude = DriftAmplitude * driftWeight * baseline;
        reference.taskAmplitude = TaskAmplitude * taskWeight * baseline;
        reference.noiseSd = (greyMatter ? GreyMatterNoise : WhiteMatterNoise) * baseline;
        reference.laplace = false;

        const Label label = RegionOf(u);
        SeriesVoxel generated = reference;
        switch (label)
        {
          case Label::Flattened:
            // Same temporal mean: the deterministic parts' mean is kept, deviations shrink.
            generated.scale = FlattenedScale;
            generated.offset = baseline + (1.0 - FlattenedScale) * (reference.driftAmplitude * regressors.driftMean +
                                                                    reference.taskAmplitude * regressors.taskMean);
            break;
          case Label::MeanShifted:
            generated.offset = baseline * (1.0 + MeanShift);
            break;
          case Label::HeavyTailed:
            generated.laplace = true;
            break;
          default:
            break;
        }
        model.labels[index] = static_cast<std::uint8_t>(label);
        model.reference.push_back(reference);
        model.generated.push_back(generated);
      }
    }
  }
  return model;
}

// ---------------------------------------------------------------------------------------
// Images.

template <typename TPixel>
TPixel
ToPixel(double value);

template <>
float
ToPixel<float>(double value)
{
  return static_cast<float>(value);
}

template <>
std::int16_t
ToPixel<std::int16_t>(double value)
{
  return static_cast<std::int16_t>(std::clamp(std::round(value), -32768.0, 32767.0));
}

/** Sets spacing, origin and direction (MNI-like, see the top of the file) of a 3D or 4D
 * image; the 4th axis is time with spacing TR. */
template <typename TImage>
void
SetGeometry(TImage * image, const Options & options)
{
  typename TImage::SpacingType   spacing;
  typename TImage::PointType     origin;
  typename TImage::DirectionType direction;
  direction.SetIdentity();
  for (unsigned int axis = 0; axis < 3; ++axis)
  {
    const double rasOrigin =
      GridCentreRas[axis] - 0.5 * static_cast<double>(options.size[axis] - 1) * options.spacing[axis];
    const double sign = axis < 2 ? -1.0 : 1.0; // RAS -> LPS
    spacing[axis] = options.spacing[axis];
    origin[axis] = sign * rasOrigin;
    direction[axis][axis] = sign;
  }
  if constexpr (TImage::ImageDimension == 4)
  {
    spacing[3] = options.repetitionTime;
    origin[3] = 0.0;
  }
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
}

template <typename TImage>
void
WriteImage(const TImage * image, const std::string & fileName)
{
  auto writer = itk::ImageFileWriter<TImage>::New();
  writer->SetImageIO(itk::NiftiImageIO::New());
  writer->SetFileName(fileName);
  writer->SetInput(image);
  writer->SetUseCompression(true); // only used for .nii.gz
  writer->Update();
}

/** Draws one series volume by volume (sequential writes into the t-slowest buffer) and
 * writes it. Run in its own thread for each series. */
template <typename TPixel>
void
GenerateAndWriteSeries(const std::vector<SeriesVoxel> & voxels,
                       const Regressors &               regressors,
                       const Options &                  options,
                       unsigned int                     stream,
                       const std::string &              fileName)
{
  using ImageType = itk::Image<TPixel, 4>;
  auto                           image = ImageType::New();
  typename ImageType::RegionType region;
  region.SetSize({ { options.size[0], options.size[1], options.size[2], options.timePoints } });
  image->SetRegions(region);
  SetGeometry(image.GetPointer(), options);
  image->Allocate(true);
  TPixel * const    buffer = image->GetBufferPointer();
  const std::size_t volumeSize = options.size[0] * options.size[1] * options.size[2];

  const auto    seed = [&](unsigned int shift) { return static_cast<std::uint32_t>(options.seed >> shift); };
  std::seed_seq seeds{ seed(0), seed(32), static_cast<std::uint32_t>(stream) };

  std::mt19937_64                       engine(seeds);
  std::normal_distribution<double>      normal;
  std::exponential_distribution<double> exponential;
  const double                          laplaceScale = 1.0 / std::sqrt(2.0); // unit variance
  const double                          innovationScale = std::sqrt(1.0 - ArCoefficient * ArCoefficient);

  std::vector<double> noise(voxels.size(), 0.0);
  for (std::size_t t = 0; t < options.timePoints; ++t)
  {
    const double drift = regressors.drift[t];
    const double task = regressors.task[t];
    TPixel *     volume = buffer + t * volumeSize;
    for (std::size_t v = 0; v < voxels.size(); ++v)
    {
      const SeriesVoxel & voxel = voxels[v];
      double              draw = 0.0;
      if (voxel.laplace)
      {
        const double a = exponential(engine);
        draw = laplaceScale * (a - exponential(engine));
      }
      else
      {
        draw = normal(engine);
      }
      // Stationary from the first volume: e(0) has the marginal variance.
      noise[v] = t == 0 ? voxel.noiseSd * draw : ArCoefficient * noise[v] + innovationScale * voxel.noiseSd * draw;
      const double value =
        voxel.offset + voxel.scale * (voxel.driftAmplitude * drift + voxel.taskAmplitude * task + noise[v]);
      volume[voxel.index] = ToPixel<TPixel>(value);
    }
  }
  WriteImage(image.GetPointer(), fileName);
}

template <typename TPixel>
void
WritePair(const Model &       model,
          const Options &     options,
          const std::string & referenceFile,
          const std::string & generatedFile)
{
  voxelkl::PrepareItkForThreads(); // the two series are written at once
  std::exception_ptr failure;
  std::thread        worker([&]() {
    try
    {
      GenerateAndWriteSeries<TPixel>(model.generated, model.regressors, options, 2, generatedFile);
    }
    catch (...)
    {
      failure = std::current_exception();
    }
  });
  try
  {
    GenerateAndWriteSeries<TPixel>(model.reference, model.regressors, options, 1, referenceFile);
  }
  catch (...)
  {
    worker.join();
    throw;
  }
  worker.join();
  if (failure)
  {
    std::rethrow_exception(failure);
  }
}

void
WriteLabels(const std::vector<std::uint8_t> & labels,
            bool                              maskOnly,
            const Options &                   options,
            const std::string &               fileName)
{
  auto                       image = LabelImageType::New();
  LabelImageType::RegionType region;
  region.SetSize({ { options.size[0], options.size[1], options.size[2] } });
  image->SetRegions(region);
  SetGeometry(image.GetPointer(), options);
  image->Allocate();
  std::uint8_t * buffer = image->GetBufferPointer();
  for (std::size_t v = 0; v < labels.size(); ++v)
  {
    buffer[v] = maskOnly ? static_cast<std::uint8_t>(labels[v] != 0) : labels[v];
  }
  WriteImage(image.GetPointer(), fileName);
}

// ITK's NIfTI writer (niftilib) does not report a failed write, so a full disk would leave
// a short file: a complete .nii holds its 352-byte header and every voxel, and a complete
// .nii.gz ends with the length of the .nii modulo 2^32 (gzip's ISIZE).
void
CheckNifti(const std::string & path, std::uintmax_t voxelBytes, const std::string & displayName)
{
  const std::uintmax_t uncompressed = 352 + voxelBytes;
  if (!voxelkl::EndsWith(path, ".gz"))
  {
    voxelkl::CheckFileComplete(path, uncompressed, displayName);
    return;
  }
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  unsigned char trailer[4] = {};
  const bool    read = file && file.tellg() >= 18 && file.seekg(-4, std::ios::end) &&
                    file.read(reinterpret_cast<char *>(trailer), sizeof(trailer));
  const std::uint32_t length =
    trailer[0] | (trailer[1] << 8) | (trailer[2] << 16) | (static_cast<std::uint32_t>(trailer[3]) << 24);
  if (!read || length != static_cast<std::uint32_t>(uncompressed))
  {
    // Asking for more room gets the file system's reason when it is full.
    std::error_code error;
    voxelkl::CheckFileComplete(path, std::filesystem::file_size(path, error) + (1u << 20), displayName);
    throw voxelkl::InputError(displayName, "cannot be written: the compressed file is incomplete");
  }
}

int
Run(const voxelkl::ParsedArguments & args)
{
  const Options               options = ReadOptions(args);
  const std::filesystem::path directory(options.outputDirectory);
  std::filesystem::create_directories(directory);
  const std::string extension = options.compress ? ".nii.gz" : ".nii";
  const std::string referenceFile = (directory / ("reference" + extension)).string();
  const std::string generatedFile = (directory / ("generated" + extension)).string();
  const std::string maskFile = (directory / "mask.nii.gz").string();
  const std::string distortionsFile = (directory / "distortions.nii.gz").string();

  // NIfTI reading of x.nii.gz takes the voxels of x.nii when both exist: refuse to write
  // next to the other format of a series.
  for (const char * name : { "reference", "generated" })
  {
    const std::filesystem::path other = directory / (name + std::string(options.compress ? ".nii" : ".nii.gz"));
    if (std::filesystem::exists(other))
    {
      throw UsageError(other.string() + " exists: NIfTI readers confuse x.nii and x.nii.gz in one directory; " +
                       "remove it or use another directory");
    }
  }
  // All four files or none: a failure or a signal never leaves half a pair.
  voxelkl::OutputTransaction outputs;
  const std::string          stagedReference = outputs.Stage(referenceFile, "--outputDirectory");
  const std::string          stagedGenerated = outputs.Stage(generatedFile, "--outputDirectory");
  const std::string          stagedMask = outputs.Stage(maskFile, "--outputDirectory");
  const std::string          stagedDistortions = outputs.Stage(distortionsFile, "--outputDirectory");
  const Model                model = MakeModel(options);
  const std::uintmax_t       volumeVoxels = options.size[0] * options.size[1] * options.size[2];
  if (options.type == "int16")
  {
    WritePair<std::int16_t>(model, options, stagedReference, stagedGenerated);
  }
  else
  {
    WritePair<float>(model, options, stagedReference, stagedGenerated);
  }
  const std::uintmax_t seriesBytes =
    volumeVoxels * options.timePoints * (options.type == "int16" ? sizeof(std::int16_t) : sizeof(float));
  CheckNifti(stagedReference, seriesBytes, referenceFile);
  CheckNifti(stagedGenerated, seriesBytes, generatedFile);
  WriteLabels(model.labels, true, options, stagedMask);
  CheckNifti(stagedMask, volumeVoxels, maskFile);
  WriteLabels(model.labels, false, options, stagedDistortions);
  CheckNifti(stagedDistortions, volumeVoxels, distortionsFile);
  outputs.Commit();
  std::cout << referenceFile << '\n' << generatedFile << '\n' << maskFile << '\n' << distortionsFile << std::endl;
  return EXIT_SUCCESS;
}

} // namespace

int
main(int argc, char * argv[])
{
  // Every .nii/.nii.gz that an itk::ImageFileReader opens (maps, masks, atlases) is read by
  // VoxelKL's reader or refused with its reason, never handed to niftilib.
  voxelkl::RegisterNiftiImageIO(voxelkl::NiftiClaim::EveryNiftiFile);
  return voxelkl::RunCommand(Describe(), argc, argv, Run);
}
