#include "voxelkl/SlicerInvocation.h"

#include <atomic>
#include <cstdlib>
#include <unistd.h>

namespace voxelkl
{

namespace
{
std::atomic<bool> SlicerArguments{ false };
} // namespace

void
NoteSlicerArguments(bool present)
{
  SlicerArguments.store(present);
}

bool
IsRunBySlicer()
{
  if (isatty(STDOUT_FILENO))
  {
    return false; // someone reads stdout; Slicer reads it through a pipe
  }
  const char * autoload = std::getenv("ITK_AUTOLOAD_PATH");
  return SlicerArguments.load() || (autoload != nullptr && *autoload == '\0');
}

} // namespace voxelkl
