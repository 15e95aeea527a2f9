#include "VolumeSources.h"

#include <vector>

namespace voxelkl::sources
{
namespace
{

// Several 4D runs of one session, concatenated in time: each run's own source in turn, so
// every run is read the way its kind is read, and each file only once.
template <typename T>
class RunSequenceSource final : public VolumeSource<T>
{
public:
  explicit RunSequenceSource(const SeriesInfo & series)
    : m_Runs(series.runs)
  {
  }

  std::size_t
  Read(std::size_t maxVolumes, T * out) override
  {
    std::size_t done = 0;
    while (done < maxVolumes && m_Run < m_Runs.size())
    {
      if (!m_Current)
      {
        m_Current = OpenVolumeSource<T>(m_Runs[m_Run]);
      }
      const std::size_t count = m_Current->Read(maxVolumes - done, out + done * m_Runs[m_Run].grid.VoxelCount());
      done += count;
      if (count == 0)
      {
        m_Current.reset();
        ++m_Run;
      }
    }
    return done;
  }

private:
  std::vector<SeriesInfo>          m_Runs;
  std::size_t                      m_Run{ 0 };
  std::unique_ptr<VolumeSource<T>> m_Current;
};

} // namespace

template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenRunSequence(const SeriesInfo & series)
{
  return std::make_unique<RunSequenceSource<T>>(series);
}

template std::unique_ptr<VolumeSource<float>>
OpenRunSequence<float>(const SeriesInfo &);
template std::unique_ptr<VolumeSource<double>>
OpenRunSequence<double>(const SeriesInfo &);

} // namespace voxelkl::sources
