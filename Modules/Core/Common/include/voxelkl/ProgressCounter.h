// Progress of work done by several threads, reported as one fraction.
#ifndef voxelkl_ProgressCounter_h
#define voxelkl_ProgressCounter_h

#include <algorithm>
#include <functional>
#include <mutex>

namespace voxelkl
{

/** Adds up amounts of work from any thread and calls the callback, one thread at a time,
 * with the fraction done (0..1). Finish() reports exactly 1, whatever rounding left. */
class ProgressCounter
{
public:
  ProgressCounter(std::function<void(double)> callback, double total)
    : m_Callback(std::move(callback))
    , m_Total(total)
  {
  }
  void
  Add(double amount)
  {
    std::lock_guard<std::mutex> lock(m_Mutex);
    m_Done += amount;
    if (m_Callback)
    {
      m_Callback(m_Total > 0 ? std::min(1.0, m_Done / m_Total) : 1.0);
    }
  }
  void
  Finish()
  {
    std::lock_guard<std::mutex> lock(m_Mutex);
    m_Done = m_Total;
    if (m_Callback)
    {
      m_Callback(1.0);
    }
  }

private:
  std::function<void(double)> m_Callback;
  double                      m_Total;
  double                      m_Done{ 0 };
  std::mutex                  m_Mutex;
};

} // namespace voxelkl

#endif
