#include "voxelkl/MemoryLimit.h"

#include "voxelkl/Errors.h"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <mutex>

namespace voxelkl
{
namespace
{

// The name of what is being read. Process-wide, not thread-local: an exception thrown on a
// worker thread is rethrown on the main one, where RunCommand reports it.
std::mutex  g_ReadingMutex;
std::string g_Reading;

} // namespace

double
PhysicalMemory()
{
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long pageSize = sysconf(_SC_PAGESIZE);
  return pages > 0 && pageSize > 0 ? static_cast<double>(pages) * static_cast<double>(pageSize) : 0.0;
}

void
RequireMemory(const std::string & what, double bytes)
{
  const double physical = PhysicalMemory();
  if (physical > 0.0 && bytes > physical)
  {
    constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
    char             text[200];
    std::snprintf(text,
                  sizeof(text),
                  "its grid needs about %.1f GiB of memory, more than this machine's %.1f GiB (is the header's size "
                  "right?)",
                  bytes / GiB,
                  physical / GiB);
    throw InputError(what, text);
  }
}

ReadingScope::ReadingScope(const std::string & what)
  : m_Exceptions(std::uncaught_exceptions())
{
  const std::lock_guard<std::mutex> lock(g_ReadingMutex);
  m_Previous = g_Reading;
  g_Reading = what;
}

ReadingScope::~ReadingScope()
{
  if (std::uncaught_exceptions() > m_Exceptions)
  {
    return; // unwinding: the name stays for the handler
  }
  const std::lock_guard<std::mutex> lock(g_ReadingMutex);
  g_Reading = m_Previous;
}

std::string
ReadingScope::Current()
{
  const std::lock_guard<std::mutex> lock(g_ReadingMutex);
  return g_Reading;
}

void
ReadingScope::Clear()
{
  const std::lock_guard<std::mutex> lock(g_ReadingMutex);
  g_Reading.clear();
}

} // namespace voxelkl
