// The engine's two traversals of a pair of series (or one series) on disk:
//  - by volumes: blocks of volumes read front to back, each voxel's state updated in time
//    order, in parallel over runs of voxels (a .nii.gz inflated once, any kind of source);
//  - by tiles: tiles of voxels x all time points, in parallel over tiles (uncompressed
//    float NIfTI read in place, or a scratch copy made in one pass).
// Both run on oneTBB in an arena of the requested number of threads, report progress,
// and stop at the next tile or block when cancelled. Which thread computes which voxels
// never changes what is computed: results are the same bits for any threads and tiles.
#ifndef voxelkl_Traversal_h
#define voxelkl_Traversal_h

#include "voxelkl/Errors.h"
#include "voxelkl/ProgressCounter.h"
#include "voxelkl/VolumeSource.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

namespace voxelkl
{

/** How a traversal runs; nothing here changes a result. */
struct TraversalContext
{
  unsigned int          threads{ 1 };
  ProgressCounter *     progress{ nullptr }; ///< null: no progress
  std::function<bool()> cancelled;           ///< empty: never
  /** Voxel tiles: N > 0 splits the grid into about N tiles, 0 sizes them for the cache. */
  unsigned int tiles{ 0 };

  void
  CheckCancelled() const
  {
    if (cancelled && cancelled())
    {
      throw Cancelled();
    }
  }
  void
  Progress(double amount) const
  {
    if (progress != nullptr)
    {
      progress->Add(amount);
    }
  }
  /** Runs body in this context's task arena. */
  template <typename TBody>
  void
  Execute(const TBody & body) const
  {
    tbb::task_arena arena(static_cast<int>(std::max(1u, threads)));
    arena.execute(body);
  }
};

/** Volumes per block of the volume traversal: ~32 MiB per series, so that each voxel's
 * state stays in cache over several time points. */
inline std::size_t
VolumesPerBlock(std::size_t voxelsPerVolume, std::size_t bytesPerValue)
{
  constexpr std::size_t budget = std::size_t{ 32 } << 20;
  const std::size_t     bytesPerVolume = std::max<std::size_t>(1, voxelsPerVolume * bytesPerValue);
  return std::clamp<std::size_t>(budget / bytesPerVolume, 1, 64);
}

/** Voxels per tile: `preferred`, unless the context asks for a number of tiles. */
inline std::size_t
TileVoxels(const TraversalContext & context, std::size_t voxels, std::size_t preferred)
{
  if (context.tiles == 0 || voxels == 0)
  {
    return preferred;
  }
  return std::max<std::size_t>(1, (voxels + context.tiles - 1) / context.tiles);
}

/** Whether two series are read in step (their pushes see the same time point of both,
 * as paired measures need) or each on its own (each series' state is its own, so each
 * file is inflated and accumulated by its own task without waiting for the other). */
enum class SeriesPairing
{
  InStep,
  Independent
};

/** Consecutive time points of a run of voxels, as the volume traversal hands them to a
 * push that takes whole runs: time point s of the run's voxels is at reference + s *
 * stride (s < referenceSteps; reference is null when referenceSteps is 0), and likewise
 * for generated. Pushing the steps one after the other is what such a push must compute,
 * so that it may keep a voxel's state in registers across the steps (same bits). */
template <typename T>
struct VoxelRunSteps
{
  std::size_t           first;
  std::size_t           count;
  const T *             reference;
  std::size_t           referenceSteps;
  const T *             generated;
  std::size_t           generatedSteps;
  std::size_t           stride;
  const unsigned char * inside; ///< null: all voxels, else one flag per voxel of the run
};

namespace detail
{
// Pushes `count` volumes of a block to runs of voxels in parallel, time point after time
// point. Runs of a few hundred voxels keep their state in the L1 cache while the volumes of
// a block are added to them; a run's results do not depend on its length. A push that
// takes a VoxelRunSteps gets all of a run's time points of the block at once.
template <typename T, typename TPush>
void
PushBlock(const T *                          reference,
          std::size_t                        referenceCount,
          const T *                          generated,
          std::size_t                        generatedCount,
          std::size_t                        voxels,
          const std::vector<unsigned char> & mask,
          const TPush &                      push)
{
  constexpr std::size_t run = 512;
  const std::size_t     count = std::max(referenceCount, generatedCount);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, voxels, 8 * run), [&](const auto & range) {
    for (std::size_t first = range.begin(); first < range.end(); first += run)
    {
      const std::size_t     length = std::min(run, range.end() - first);
      const unsigned char * inside = mask.empty() ? nullptr : mask.data() + first;
      if constexpr (std::is_invocable_v<const TPush &, const VoxelRunSteps<T> &>)
      {
        push(VoxelRunSteps<T>{ first,
                               length,
                               referenceCount > 0 ? reference + first : nullptr,
                               referenceCount,
                               generatedCount > 0 ? generated + first : nullptr,
                               generatedCount,
                               voxels,
                               inside });
      }
      else
      {
        for (std::size_t t = 0; t < count; ++t)
        {
          const T * r = t < referenceCount ? reference + t * voxels + first : nullptr;
          const T * g = t < generatedCount ? generated + t * voxels + first : nullptr;
          push(first, length, r, g, inside);
        }
      }
    }
  });
}
} // namespace detail

/** The volume traversal's step: blocks of up to `block` volumes of one or two series
 * (generated may be null) read in step, each series by its own task (two files inflate on
 * two cores), and body(reference, referenceCount, generated, generatedCount, firstVolume)
 * called for each block in order, on the calling thread; a series that has ended gives a
 * count of 0. For measures that need whole volumes (the spatial softmax KL) and for
 * TraverseVolumes. Runs in the caller's task arena; checks for cancellation per block. */
template <typename T, typename TBody>
void
ForEachVolumeBlock(VolumeSource<T> &        reference,
                   VolumeSource<T> *        generated,
                   std::size_t              voxels,
                   std::size_t              block,
                   const TraversalContext & context,
                   const TBody &            body)
{
  // Not value-initialised: every block is read into before it is used.
  const std::unique_ptr<T[]> referenceBlock(new T[block * voxels]);
  const std::unique_ptr<T[]> generatedBlock(new T[generated != nullptr ? block * voxels : 0]);
  std::size_t                first = 0;
  for (;;)
  {
    context.CheckCancelled();
    std::size_t referenceCount = 0;
    std::size_t generatedCount = 0;
    tbb::parallel_invoke([&] { referenceCount = reference.Read(block, referenceBlock.get()); },
                         [&] {
                           if (generated != nullptr)
                           {
                             generatedCount = generated->Read(block, generatedBlock.get());
                           }
                         });
    if (referenceCount == 0 && generatedCount == 0)
    {
      break;
    }
    body(referenceBlock.get(), referenceCount, generatedBlock.get(), generatedCount, first);
    context.Progress(static_cast<double>(referenceCount + generatedCount));
    first += std::max(referenceCount, generatedCount);
  }
}

/** The volume traversal of one or two series (generated may be null): blocks of volumes
 * read front to back, each series by its own task (two files inflate on two cores), and
 * push(first, count, reference, generated, inside) called for runs of voxels in parallel,
 * time point after time point: reference and generated point at the run's values of one
 * time point, null where that series has no value there (series of different lengths, or
 * the other series' pushes when they are Independent); inside is null (no mask) or the
 * mask at the run's first voxel. A push callable with a VoxelRunSteps<T> is called once per
 * run and block instead, with the block's time points of the run. With SeriesPairing::Independent, push may run for the
 * two series at once: it must update each series' state apart. Progress: one unit per volume. */
template <typename T, typename TPush>
void
TraverseVolumes(VolumeSource<T> &                  reference,
                VolumeSource<T> *                  generated,
                std::size_t                        voxels,
                const std::vector<unsigned char> & mask,
                const TraversalContext &           context,
                const TPush &                      push,
                SeriesPairing                      pairing = SeriesPairing::InStep)
{
  const std::size_t block = VolumesPerBlock(voxels, sizeof(T));
  context.Execute([&] {
    if (pairing == SeriesPairing::Independent && generated != nullptr)
    {
      auto alone = [&](VolumeSource<T> & source, bool isReference) {
        const std::unique_ptr<T[]> values(new T[block * voxels]); // read into before use
        for (;;)
        {
          context.CheckCancelled();
          const std::size_t count = source.Read(block, values.get());
          if (count == 0)
          {
            break;
          }
          detail::PushBlock<T>(isReference ? values.get() : nullptr,
                               isReference ? count : 0,
                               isReference ? nullptr : values.get(),
                               isReference ? 0 : count,
                               voxels,
                               mask,
                               push);
          context.Progress(static_cast<double>(count));
        }
      };
      tbb::parallel_invoke([&] { alone(reference, true); }, [&] { alone(*generated, false); });
      return;
    }
    ForEachVolumeBlock<T>(
      reference,
      generated,
      voxels,
      block,
      context,
      [&](const T * r, std::size_t referenceCount, const T * g, std::size_t generatedCount, std::size_t) {
        detail::PushBlock<T>(r, referenceCount, g, generatedCount, voxels, mask, push);
      });
  });
}

/** The tile traversal: tile(first, count) for every tile of `voxels` voxels of at most
 * tileVoxels each, in parallel. Progress: one unit per tile. */
template <typename TTile>
void
TraverseTiles(std::size_t voxels, std::size_t tileVoxels, const TraversalContext & context, const TTile & tile)
{
  const std::size_t tiles = (voxels + tileVoxels - 1) / tileVoxels;
  std::atomic<bool> stop{ false };
  context.Execute([&] {
    tbb::parallel_for(std::size_t{ 0 }, tiles, [&](std::size_t index) {
      if (stop.load(std::memory_order_relaxed) || (context.cancelled && context.cancelled()))
      {
        stop = true;
        return;
      }
      const std::size_t first = index * tileVoxels;
      tile(first, std::min(tileVoxels, voxels - first));
      context.Progress(1.0);
    });
  });
  if (stop)
  {
    throw Cancelled();
  }
}

/** Number of tiles TraverseTiles runs. */
inline std::size_t
TileCount(std::size_t voxels, std::size_t tileVoxels)
{
  return (voxels + tileVoxels - 1) / tileVoxels;
}

} // namespace voxelkl

#endif
