#include "voxelkl/ConnectivityComparison.h"

#include <cmath>
#include <stdexcept>

namespace voxelkl
{
namespace
{

// Whether the region has a finite mean at some time point of the series.
bool
HasFiniteValue(const RegionTimeSeries & series, std::size_t region)
{
  for (std::size_t t = 0; t < series.TimePoints(); ++t)
  {
    if (std::isfinite(series.Mean(t, region)))
    {
      return true;
    }
  }
  return false;
}

// The time points where every candidate region has a finite mean; the others are censored.
std::vector<std::size_t>
KeptTimePoints(const RegionTimeSeries &         series,
               const std::vector<std::size_t> & candidates,
               std::vector<std::size_t> &       censored)
{
  std::vector<std::size_t> kept;
  for (std::size_t t = 0; t < series.TimePoints(); ++t)
  {
    bool complete = true;
    for (const std::size_t r : candidates)
    {
      complete = complete && std::isfinite(series.Mean(t, r));
    }
    (complete ? kept : censored).push_back(t);
  }
  return kept;
}

// Whether the region's mean takes one value over the kept time points, or its centred sum of
// squares is 0 or not finite (no correlation exists).
bool
IsConstant(const RegionTimeSeries & series, std::size_t region, const std::vector<std::size_t> & kept)
{
  const double first = series.Mean(kept.front(), region);
  bool         varies = false;
  double       sum = 0.0;
  for (const std::size_t t : kept)
  {
    const double value = series.Mean(t, region);
    varies = varies || value != first;
    sum += value;
  }
  if (!varies)
  {
    return true;
  }
  const double mean = sum / static_cast<double>(kept.size());
  double       squares = 0.0;
  for (const std::size_t t : kept)
  {
    const double d = series.Mean(t, region) - mean;
    squares += d * d;
  }
  return !(squares > 0.0) || !std::isfinite(squares);
}

// The kept time points x used regions of a series.
Matrix
RegionMeans(const RegionTimeSeries &         series,
            const std::vector<std::size_t> & kept,
            const std::vector<std::size_t> & used)
{
  Matrix x(kept.size(), used.size());
  for (std::size_t k = 0; k < kept.size(); ++k)
  {
    for (std::size_t i = 0; i < used.size(); ++i)
    {
      x(k, i) = series.Mean(kept[k], used[i]);
    }
  }
  return x;
}

SeriesConnectivity
Connectivity(const RegionTimeSeries &         series,
             const std::vector<std::size_t> & kept,
             std::vector<std::size_t>         censored,
             const std::vector<std::size_t> & used)
{
  SeriesConnectivity result;
  result.timePoints = series.TimePoints();
  result.censored = std::move(censored);
  const Matrix x = RegionMeans(series, kept, used);
  result.correlation = CorrelationMatrix(x);
  result.fisherZ = Matrix(used.size(), used.size());
  for (std::size_t i = 0; i < result.fisherZ.values.size(); ++i)
  {
    result.fisherZ.values[i] = FisherZ(result.correlation.values[i]);
  }
  result.covariance = LedoitWolf(x);
  result.logDeterminant = LogDeterminant(result.covariance.shrunk);
  return result;
}

} // namespace

std::string
ToString(RegionStatus status)
{
  switch (status)
  {
    case RegionStatus::Used:
      return "used";
    case RegionStatus::NoVoxel:
      return "no voxel in the mask";
    case RegionStatus::NoFiniteValue:
      return "no finite value";
    case RegionStatus::Constant:
      return "constant";
  }
  return "used";
}

std::optional<double>
ConnectivityComparison::GaussianDivergence(KLDirection direction) const
{
  switch (direction)
  {
    case KLDirection::Forward:
      return forwardKL;
    case KLDirection::Reverse:
      return reverseKL;
    case KLDirection::Symmetric:
      if (forwardKL && reverseKL)
      {
        return *forwardKL + *reverseKL;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

ConnectivityComparison
CompareConnectivity(const RegionVoxels &     regions,
                    const RegionTimeSeries & reference,
                    const RegionTimeSeries & generated)
{
  const std::size_t count = regions.RegionCount();
  if (reference.RegionCount() != count || generated.RegionCount() != count)
  {
    throw std::invalid_argument("CompareConnectivity: the series have other regions than the atlas");
  }
  ConnectivityComparison result;
  result.regions.resize(count);
  // 1 and 2: regions without voxels, and regions without any finite value in a series.
  std::vector<std::size_t> candidates;
  for (std::size_t r = 0; r < count; ++r)
  {
    RegionOutcome & outcome = result.regions[r];
    if (regions.VoxelCount(r) == 0)
    {
      outcome.status = RegionStatus::NoVoxel;
      continue;
    }
    outcome.reference = !HasFiniteValue(reference, r);
    outcome.generated = !HasFiniteValue(generated, r);
    if (outcome.reference || outcome.generated)
    {
      outcome.status = RegionStatus::NoFiniteValue;
      continue;
    }
    candidates.push_back(r);
  }
  // Censored time points, per series.
  result.reference.timePoints = reference.TimePoints();
  result.generated.timePoints = generated.TimePoints();
  const std::vector<std::size_t> referenceKept = KeptTimePoints(reference, candidates, result.reference.censored);
  const std::vector<std::size_t> generatedKept = KeptTimePoints(generated, candidates, result.generated.censored);
  if (referenceKept.size() < 2)
  {
    result.problem = ConnectivityProblem::TooFewReferenceTimePoints;
    return result;
  }
  if (generatedKept.size() < 2)
  {
    result.problem = ConnectivityProblem::TooFewGeneratedTimePoints;
    return result;
  }
  // 3: constant regions.
  for (const std::size_t r : candidates)
  {
    RegionOutcome & outcome = result.regions[r];
    outcome.reference = IsConstant(reference, r, referenceKept);
    outcome.generated = IsConstant(generated, r, generatedKept);
    if (outcome.reference || outcome.generated)
    {
      outcome.status = RegionStatus::Constant;
      continue;
    }
    result.used.push_back(r);
  }
  if (result.used.size() < 2)
  {
    result.problem = ConnectivityProblem::TooFewRegions;
    return result;
  }

  result.reference = Connectivity(reference, referenceKept, std::move(result.reference.censored), result.used);
  result.generated = Connectivity(generated, generatedKept, std::move(result.generated.censored), result.used);

  // The agreement of the two matrices, over the upper triangles' Fisher z values.
  const std::size_t   p = result.used.size();
  const Matrix &      zr = result.reference.fisherZ;
  const Matrix &      zg = result.generated.fisherZ;
  std::vector<double> upperReference, upperGenerated;
  double              squares = 0.0;
  for (std::size_t i = 0; i < p; ++i)
  {
    for (std::size_t j = i + 1; j < p; ++j)
    {
      upperReference.push_back(zr(i, j));
      upperGenerated.push_back(zg(i, j));
      const double d = zg(i, j) - zr(i, j);
      squares += d * d;
    }
  }
  result.pairs = upperReference.size();
  result.meanSquaredZDifference = squares / static_cast<double>(result.pairs);
  result.matrixSimilarity = PearsonCorrelation(upperReference, upperGenerated);
  result.profileCorrelation.resize(p);
  for (std::size_t i = 0; i < p; ++i)
  {
    std::vector<double> rowReference, rowGenerated;
    for (std::size_t j = 0; j < p; ++j)
    {
      if (j != i)
      {
        rowReference.push_back(zr(i, j));
        rowGenerated.push_back(zg(i, j));
      }
    }
    result.profileCorrelation[i] = PearsonCorrelation(rowReference, rowGenerated);
  }

  // The multivariate Gaussians of the region time series.
  const LedoitWolfEstimate & r = result.reference.covariance;
  const LedoitWolfEstimate & g = result.generated.covariance;
  result.forwardKL = MultivariateGaussianKL(r.mean, r.shrunk, g.mean, g.shrunk);
  result.reverseKL = MultivariateGaussianKL(g.mean, g.shrunk, r.mean, r.shrunk);
  return result;
}

} // namespace voxelkl
