#include "voxelkl/SpatialKLJob.h"

#include "voxelkl/Errors.h"
#include "voxelkl/MemoryLimit.h"
#include "voxelkl/SoftmaxKLState.h"
#include "voxelkl/Traversal.h"
#include "voxelkl/VarianceAccumulatorArray.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>

// Bit-identical for any thread count: every per-voxel quantity is computed by the same code
// from the same values, and every sum over voxels is taken chunk by chunk (fixed chunks of
// SpatialKLChunkVoxels voxels, each summed in voxel order) and the chunk sums combined in
// chunk order. Threads only decide which chunk is computed where.

namespace voxelkl
{
namespace
{
constexpr std::size_t BlockBytes = std::size_t{ 32 } << 20; // per series

// Each voxel's mean and population std over time, for voxel standardization.
struct VoxelMoments
{
  std::vector<double> mean;
  std::vector<double> std; // 0: constant or fewer than two finite values, z = 0
  std::size_t         constant{ 0 };
};

VoxelMoments
ComputeVoxelMoments(const SeriesInfo & series, const Mask & mask, const TraversalContext & context)
{
  const std::size_t        voxels = series.grid.VoxelCount();
  VarianceAccumulatorArray accumulators(voxels);
  auto                     source = OpenVolumeSource<double>(series);
  TraverseVolumes<double>(
    *source,
    nullptr,
    voxels,
    mask.inside,
    context,
    [&](std::size_t first, std::size_t count, const double * values, const double *, const unsigned char * inside) {
      accumulators.PushTimePoint(first, count, values, inside);
    });
  VoxelMoments moments;
  moments.mean.assign(voxels, 0.0);
  moments.std.assign(voxels, 0.0);
  for (std::size_t v = 0; v < voxels; ++v)
  {
    if (!mask.inside.empty() && mask.inside[v] == 0)
    {
      continue;
    }
    const VarianceAccumulator accumulator = accumulators.Get(v);
    moments.mean[v] = accumulator.Mean();
    moments.std[v] = accumulator.StandardDeviation();
    if (!(moments.std[v] > 0.0))
    {
      moments.std[v] = 0.0;
      ++moments.constant;
    }
  }
  return moments;
}

// What a chunk of one volume pair contributes.
struct ChunkResult
{
  SoftmaxKLState state;
  std::uint64_t  voxels{ 0 };
  std::uint64_t  dropped{ 0 };
  double         sumReference{ 0.0 }; // volume standardization: first pass
  double         sumGenerated{ 0.0 };
  double         squaresReference{ 0.0 }; // volume standardization: second pass
  double         squaresGenerated{ 0.0 };
  double         squaredError{ 0.0 };
  double         standardizedSquaredError{ 0.0 };
};

// z-score: (x - mean) / std, 0 where std is 0.
inline double
ZScore(double x, double mean, double std)
{
  return std > 0.0 ? (x - mean) / std : 0.0;
}

class Computation
{
public:
  explicit Computation(const SpatialKLJob & job)
    : m_Job(job)
    , m_Voxels(job.reference.grid.VoxelCount())
    , m_Chunks((m_Voxels + SpatialKLChunkVoxels - 1) / SpatialKLChunkVoxels)
  {
  }

  SpatialKLResult
  Run()
  {
    const unsigned int threads = EffectiveThreads(m_Job.execution.threads);
    const std::size_t  timePoints = m_Job.reference.timePoints;
    const std::size_t  block =
      std::max<std::size_t>(1, std::min(timePoints, BlockBytes / std::max<std::size_t>(1, m_Voxels * sizeof(double))));
    const bool       voxelwise = m_Job.standardize == Standardization::Voxel;
    ProgressCounter  progress(m_Job.execution.progress, static_cast<double>(timePoints) * (voxelwise ? 4.0 : 2.0));
    TraversalContext context{ threads, &progress, m_Job.execution.cancelled, 0 };

    SpatialKLResult result;
    result.voxels = m_Voxels;
    result.inMask = m_Job.mask.inside.empty() ? m_Voxels : m_Job.mask.count;
    result.volumes.resize(timePoints);
    tbb::task_arena arena(static_cast<int>(threads));
    arena.execute([&] {
      if (voxelwise)
      {
        // First pass: each file read once more, both at once.
        tbb::parallel_invoke([&] { m_ReferenceMoments = ComputeVoxelMoments(m_Job.reference, m_Job.mask, context); },
                             [&] { m_GeneratedMoments = ComputeVoxelMoments(m_Job.generated, m_Job.mask, context); });
        result.constantReferenceVoxels = m_ReferenceMoments.constant;
        result.constantGeneratedVoxels = m_GeneratedMoments.constant;
      }
      // The engine's volume blocks, both series in step; progress counts the volumes read.
      auto referenceSource = OpenVolumeSource<double>(m_Job.reference);
      auto generatedSource = OpenVolumeSource<double>(m_Job.generated);
      ForEachVolumeBlock<double>(*referenceSource,
                                 generatedSource.get(),
                                 m_Voxels,
                                 block,
                                 context,
                                 [&](const double * reference,
                                     std::size_t    referenceCount,
                                     const double * generated,
                                     std::size_t    generatedCount,
                                     std::size_t    first) {
                                   if (referenceCount != generatedCount) // the headers agreed: a file changed
                                   {
                                     throw InputError(m_Job.reference.Name() + " and " + m_Job.generated.Name() +
                                                      ": the series ended at different volumes while being read");
                                   }
                                   ComputeBlock(reference, generated, referenceCount, result.volumes.data() + first);
                                 });
    });
    progress.Finish();
    result.report = { "volumes", static_cast<unsigned int>(m_Chunks), threads };
    return result;
  }

private:
  bool
  Inside(std::size_t v) const
  {
    return m_Job.mask.inside.empty() || m_Job.mask.inside[v] != 0;
  }

  // Runs chunk(volume, chunk index) for every chunk of `count` volumes in parallel.
  template <typename TFunction>
  void
  ForEachChunk(std::size_t count, TFunction && chunk) const
  {
    tbb::parallel_for(
      std::size_t{ 0 }, count * m_Chunks, [&](std::size_t item) { chunk(item / m_Chunks, item % m_Chunks); });
  }

  void
  ComputeBlock(const double * reference, const double * generated, std::size_t count, SpatialKLVolume * volumes)
  {
    std::vector<ChunkResult> chunks(count * m_Chunks);
    auto                     range = [this](std::size_t c) {
      return std::pair{ c * SpatialKLChunkVoxels, std::min(m_Voxels, (c + 1) * SpatialKLChunkVoxels) };
    };
    // Volume standardization: mean, then population std, of each volume's voxels that enter
    // the softmax (two passes over the block in memory).
    std::vector<double> referenceMean(count), generatedMean(count), referenceStd(count), generatedStd(count);
    if (m_Job.standardize == Standardization::Volume)
    {
      ForEachChunk(count, [&](std::size_t t, std::size_t c) {
        ChunkResult &  chunk = chunks[t * m_Chunks + c];
        const double * r = reference + t * m_Voxels;
        const double * g = generated + t * m_Voxels;
        const auto [begin, end] = range(c);
        for (std::size_t v = begin; v < end; ++v)
        {
          if (Inside(v) && std::isfinite(r[v]) && std::isfinite(g[v]))
          {
            chunk.sumReference += r[v];
            chunk.sumGenerated += g[v];
            ++chunk.voxels;
          }
        }
      });
      for (std::size_t t = 0; t < count; ++t)
      {
        double        sumReference = 0.0, sumGenerated = 0.0;
        std::uint64_t n = 0;
        for (std::size_t c = 0; c < m_Chunks; ++c)
        {
          sumReference += chunks[t * m_Chunks + c].sumReference;
          sumGenerated += chunks[t * m_Chunks + c].sumGenerated;
          n += chunks[t * m_Chunks + c].voxels;
        }
        referenceMean[t] = n > 0 ? sumReference / static_cast<double>(n) : 0.0;
        generatedMean[t] = n > 0 ? sumGenerated / static_cast<double>(n) : 0.0;
      }
      ForEachChunk(count, [&](std::size_t t, std::size_t c) {
        ChunkResult &  chunk = chunks[t * m_Chunks + c];
        const double * r = reference + t * m_Voxels;
        const double * g = generated + t * m_Voxels;
        const auto [begin, end] = range(c);
        for (std::size_t v = begin; v < end; ++v)
        {
          if (Inside(v) && std::isfinite(r[v]) && std::isfinite(g[v]))
          {
            const double dr = r[v] - referenceMean[t];
            const double dg = g[v] - generatedMean[t];
            chunk.squaresReference += dr * dr;
            chunk.squaresGenerated += dg * dg;
          }
        }
      });
      for (std::size_t t = 0; t < count; ++t)
      {
        double        squaresReference = 0.0, squaresGenerated = 0.0;
        std::uint64_t n = 0;
        for (std::size_t c = 0; c < m_Chunks; ++c)
        {
          squaresReference += chunks[t * m_Chunks + c].squaresReference;
          squaresGenerated += chunks[t * m_Chunks + c].squaresGenerated;
          n += chunks[t * m_Chunks + c].voxels;
        }
        referenceStd[t] = n > 0 ? std::sqrt(squaresReference / static_cast<double>(n)) : 0.0;
        generatedStd[t] = n > 0 ? std::sqrt(squaresGenerated / static_cast<double>(n)) : 0.0;
      }
    }

    // The softmax KL and the squared errors, chunk by chunk.
    const double temperature = m_Job.temperature;
    ForEachChunk(count, [&](std::size_t t, std::size_t c) {
      ChunkResult &  chunk = chunks[t * m_Chunks + c];
      const double * r = reference + t * m_Voxels;
      const double * g = generated + t * m_Voxels;
      const auto [begin, end] = range(c);
      std::vector<double> referenceLogits;
      std::vector<double> generatedLogits;
      referenceLogits.reserve(end - begin);
      generatedLogits.reserve(end - begin);
      std::uint64_t voxels = 0;
      for (std::size_t v = begin; v < end; ++v)
      {
        if (!Inside(v))
        {
          continue;
        }
        if (!std::isfinite(r[v]) || !std::isfinite(g[v]))
        {
          ++chunk.dropped;
          continue;
        }
        ++voxels;
        const double difference = g[v] - r[v];
        chunk.squaredError += difference * difference;
        double zr = r[v];
        double zg = g[v];
        switch (m_Job.standardize)
        {
          case Standardization::None:
            break;
          case Standardization::Voxel:
            zr = ZScore(r[v], m_ReferenceMoments.mean[v], m_ReferenceMoments.std[v]);
            zg = ZScore(g[v], m_GeneratedMoments.mean[v], m_GeneratedMoments.std[v]);
            break;
          case Standardization::Volume:
            zr = ZScore(r[v], referenceMean[t], referenceStd[t]);
            zg = ZScore(g[v], generatedMean[t], generatedStd[t]);
            break;
        }
        const double standardizedDifference = zg - zr;
        chunk.standardizedSquaredError += standardizedDifference * standardizedDifference;
        referenceLogits.push_back(zr / temperature);
        generatedLogits.push_back(zg / temperature);
      }
      chunk.voxels = voxels;
      chunk.state = SoftmaxKLState::FromLogits(generatedLogits.data(), referenceLogits.data(), generatedLogits.size());
    });

    // Each volume: its chunks merged in chunk order.
    for (std::size_t t = 0; t < count; ++t)
    {
      SoftmaxKLState    state;
      SpatialKLVolume & volume = volumes[t];
      volume = SpatialKLVolume{};
      for (std::size_t c = 0; c < m_Chunks; ++c)
      {
        const ChunkResult & chunk = chunks[t * m_Chunks + c];
        state.Merge(chunk.state);
        volume.voxels += chunk.voxels;
        volume.dropped += chunk.dropped;
        volume.squaredError += chunk.squaredError;
        volume.standardizedSquaredError += chunk.standardizedSquaredError;
      }
      volume.kl = state.Divergence(m_Job.direction);
    }
  }

  const SpatialKLJob & m_Job;
  std::size_t          m_Voxels;
  std::size_t          m_Chunks;
  VoxelMoments         m_ReferenceMoments;
  VoxelMoments         m_GeneratedMoments;
};

} // namespace

std::string
ToString(Standardization standardization)
{
  switch (standardization)
  {
    case Standardization::None:
      return "none";
    case Standardization::Voxel:
      return "voxel";
    case Standardization::Volume:
      return "volume";
  }
  return "none";
}

Standardization
ParseStandardization(const std::string & name)
{
  for (const Standardization s : { Standardization::None, Standardization::Voxel, Standardization::Volume })
  {
    if (name == ToString(s))
    {
      return s;
    }
  }
  throw std::invalid_argument("unknown standardization '" + name + "' (none, voxel or volume)");
}

double
GlobalMeanSquaredError(const SpatialKLResult & result, bool standardized)
{
  double sum = 0.0;
  double count = 0.0;
  for (const SpatialKLVolume & volume : result.volumes)
  {
    sum += standardized ? volume.standardizedSquaredError : volume.squaredError;
    count += static_cast<double>(volume.voxels);
  }
  return count > 0.0 ? sum / count : 0.0;
}

void
RequirePairedSeries(const SeriesInfo & reference, const SeriesInfo & generated)
{
  if (reference.timePoints != generated.timePoints)
  {
    throw InputError("the series are not paired: " + reference.Name() + " has " + std::to_string(reference.timePoints) +
                     " volumes but " + generated.Name() + " has " + std::to_string(generated.timePoints) +
                     "; the spatial KL compares volume t of the generated series with volume t of the reference, so "
                     "both need the same number of volumes");
  }
}

SpatialKLResult
ComputeSpatialKL(const SpatialKLJob & job)
{
  RequirePairedSeries(job.reference, job.generated);
  RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  if (!(job.temperature > 0.0) || !std::isfinite(job.temperature))
  {
    throw UsageError("the temperature must be a positive number");
  }
  if (!job.mask.inside.empty() && job.mask.inside.size() != job.reference.grid.VoxelCount())
  {
    throw std::logic_error("ComputeSpatialKL: the mask is not on the series' grid");
  }
  // Before anything on the grid is allocated (a header may claim terabytes): a block of at
  // least one volume of doubles per series, and the voxel moments of --standardize voxel.
  const double voxels = static_cast<double>(job.reference.grid.VoxelCount());
  const double volumes = std::max(1.0,
                                  std::min(static_cast<double>(job.reference.timePoints),
                                           static_cast<double>(BlockBytes) / std::max(1.0, 8.0 * voxels)));
  RequireMemory(job.reference.Name() + " / " + job.generated.Name(), 2.0 * 8.0 * volumes * voxels + 48.0 * voxels);
  const ReadingScope reading(job.reference.Name() + " / " + job.generated.Name());
  return Computation(job).Run();
}

} // namespace voxelkl
