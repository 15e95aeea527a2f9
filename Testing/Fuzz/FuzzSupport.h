// What the fuzz targets share: a private temporary file per process for the readers that
// take a path, and the one rule of what counts as an expected outcome.
#ifndef voxelkl_FuzzSupport_h
#define voxelkl_FuzzSupport_h

#include "voxelkl/Errors.h"

#ifdef VOXELKL_FUZZ_ITK
#include "itkMacro.h"
#endif

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace voxelkl::fuzz
{

/** A directory of its own for this process (libFuzzer's -jobs/-fork run several), removed at
 * exit. Under $TMPDIR, else /tmp. */
inline const std::filesystem::path &
PrivateDirectory()
{
  static const std::filesystem::path directory = [] {
    const char *      tmp = std::getenv("TMPDIR");
    std::string       pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/voxelkl-fuzz-XXXXXX";
    const char *      made = mkdtemp(pattern.data());
    const std::string path = made ? made : "";
    if (path.empty())
    {
      std::abort(); // no place for the inputs: nothing can be fuzzed
    }
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(PrivateDirectory(), ignored);
    });
    return std::filesystem::path(path);
  }();
  return directory;
}

/** Writes the input to PrivateDirectory()/name (replacing the previous one) and returns the
 * path. */
inline std::string
WriteInput(const std::uint8_t * data, std::size_t size, const std::string & name)
{
  const std::filesystem::path path = PrivateDirectory() / name;
  std::ofstream               file(path, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
  file.close();
  if (!file)
  {
    std::abort();
  }
  return path.string();
}

/** Runs read(); the errors VoxelKL reports to its users for bad input (InputError,
 * UsageError) are an expected outcome. Anything else -- another exception (it reaches
 * libFuzzer as std::terminate), a crash, a sanitizer report, a leak, a timeout, more memory
 * than -rss_limit_mb -- fails the run. The targets that go through ITK (compiled with
 * VOXELKL_FUZZ_ITK) also accept itk::ExceptionObject. */
template <typename Read>
void
Expected(Read && read)
{
  try
  {
    read();
  }
  catch (const InputError &)
  {
  }
  catch (const UsageError &)
  {
  }
#ifdef VOXELKL_FUZZ_ITK
  catch (const itk::ExceptionObject &)
  {
  }
#endif
}

inline std::string_view
AsText(const std::uint8_t * data, std::size_t size)
{
  return { reinterpret_cast<const char *>(data), size };
}

} // namespace voxelkl::fuzz

#endif
