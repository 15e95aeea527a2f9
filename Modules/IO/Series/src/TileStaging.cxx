#include "voxelkl/TileStaging.h"

#include "voxelkl/Errors.h"
#include "voxelkl/ItkGlobals.h"
#include "voxelkl/VolumeSource.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdlib.h>
#include <unistd.h>
#include <vector>

namespace voxelkl
{
namespace
{

// An unlinked file in the temporary directory: gone when closed, whatever happens.
class ScratchFile
{
public:
  explicit ScratchFile(const std::string & purpose)
  {
    std::error_code ec;
    m_Directory = std::filesystem::temp_directory_path(ec).string();
    if (ec)
    {
      m_Directory = "/tmp";
    }
    std::string pattern = (std::filesystem::path(m_Directory) / "voxelkl-scratch-XXXXXX").string();
    m_Descriptor = mkstemp(pattern.data());
    if (m_Descriptor < 0)
    {
      throw InputError(m_Directory,
                       "cannot create a scratch file for " + purpose + ": " + std::strerror(errno) +
                         " (set TMPDIR to a writable directory)");
    }
    unlink(pattern.c_str());
    m_Purpose = purpose;
  }
  ~ScratchFile()
  {
    if (m_Descriptor >= 0)
    {
      close(m_Descriptor);
    }
  }
  ScratchFile(const ScratchFile &) = delete;
  ScratchFile &
  operator=(const ScratchFile &) = delete;

  void
  Write(const void * data, std::size_t bytes)
  {
    const auto * cursor = static_cast<const char *>(data);
    while (bytes > 0)
    {
      const ssize_t written = write(m_Descriptor, cursor, bytes);
      if (written < 0 && errno == EINTR)
      {
        continue;
      }
      if (written <= 0)
      {
        throw InputError(m_Directory,
                         "cannot write the scratch copy of " + m_Purpose + ": " +
                           std::strerror(written < 0 ? errno : ENOSPC) +
                           " (it needs voxels x time points x 4 or 8 bytes; set TMPDIR to a larger file system)");
      }
      cursor += written;
      bytes -= static_cast<std::size_t>(written);
    }
  }

  /** Hands the descriptor over (the caller closes it). */
  int
  Release()
  {
    const int descriptor = m_Descriptor;
    m_Descriptor = -1;
    return descriptor;
  }

private:
  std::string m_Directory;
  std::string m_Purpose;
  int         m_Descriptor{ -1 };
};

// Volumes per copy step: about 32 MiB.
std::size_t
VolumesPerStep(std::size_t voxels)
{
  return std::max<std::size_t>(1, (std::size_t{ 32 } << 20) / (voxels * 8));
}

// The first time point of each run, and the total as the last entry.
std::vector<std::size_t>
RunStarts(const SeriesInfo & series)
{
  std::vector<std::size_t> starts{ 0 };
  if (series.runs.size() > 1)
  {
    for (const SeriesInfo & run : series.runs)
    {
      starts.push_back(starts.back() + run.timePoints);
    }
  }
  else
  {
    starts.push_back(series.timePoints);
  }
  return starts;
}

// Sums and counts of the finite samples of each voxel in each run.
class RunMeans
{
public:
  RunMeans(std::vector<std::size_t> starts, std::size_t voxels)
    : m_Starts(std::move(starts))
    , m_Voxels(voxels)
    , m_Sums((m_Starts.size() - 1) * voxels, 0.0)
    , m_Counts((m_Starts.size() - 1) * voxels, 0.0)
  {
  }
  template <typename T>
  void
  Add(std::size_t t, const T * volume)
  {
    const std::size_t run =
      static_cast<std::size_t>(std::upper_bound(m_Starts.begin(), m_Starts.end(), t) - m_Starts.begin()) - 1;
    double * sums = m_Sums.data() + run * m_Voxels;
    double * counts = m_Counts.data() + run * m_Voxels;
    for (std::size_t v = 0; v < m_Voxels; ++v)
    {
      const double x = static_cast<double>(volume[v]);
      if (std::isfinite(x))
      {
        sums[v] += x;
        counts[v] += 1.0;
      }
    }
  }
  /** The means (0 where a run has no finite sample), run after run. */
  std::vector<double>
  Means() &&
  {
    for (std::size_t i = 0; i < m_Sums.size(); ++i)
    {
      m_Sums[i] = m_Counts[i] > 0.0 ? m_Sums[i] / m_Counts[i] : 0.0;
    }
    return std::move(m_Sums);
  }
  const std::vector<std::size_t> &
  Starts() const
  {
    return m_Starts;
  }

private:
  std::vector<std::size_t> m_Starts;
  std::size_t              m_Voxels;
  std::vector<double>      m_Sums;
  std::vector<double>      m_Counts;
};

} // namespace

template <typename T>
std::unique_ptr<NiftiTileReader<T>>
OpenTileReader(const SeriesInfo & series, const std::function<void(std::size_t)> & progress, RunsHandling runs)
{
  PrepareItkForThreads(); // the jobs open both series in parallel
  const bool demean = runs == RunsHandling::Demean;
  if (!demean && NiftiTileReader<T>::Supports(series))
  {
    if (progress)
    {
      progress(series.timePoints); // nothing to copy
    }
    return std::make_unique<NiftiTileReader<T>>(series);
  }
  const std::size_t voxels = series.grid.VoxelCount();
  const std::size_t step = VolumesPerStep(voxels);
  ScratchFile       scratch(series.Name());
  RunMeans          means(RunStarts(series), demean ? voxels : 0);
  auto              source = OpenVolumeSource<T>(series);
  std::vector<T>    buffer(step * voxels);
  std::size_t       done = 0;
  while (const std::size_t count = source->Read(step, buffer.data()))
  {
    scratch.Write(buffer.data(), count * voxels * sizeof(T));
    for (std::size_t t = 0; demean && t < count; ++t)
    {
      means.Add(done + t, buffer.data() + t * voxels);
    }
    done += count;
    if (progress)
    {
      progress(count);
    }
  }
  auto reader = std::make_unique<NiftiTileReader<T>>(scratch.Release(), series.Name(), voxels);
  if (demean)
  {
    const std::vector<std::size_t> starts = means.Starts();
    reader->SubtractRunMeans(starts, std::move(means).Means());
  }
  return reader;
}

template std::unique_ptr<NiftiTileReader<float>>
OpenTileReader<float>(const SeriesInfo &, const std::function<void(std::size_t)> &, RunsHandling);
template std::unique_ptr<NiftiTileReader<double>>
OpenTileReader<double>(const SeriesInfo &, const std::function<void(std::size_t)> &, RunsHandling);

} // namespace voxelkl
