#include "voxelkl/OutputTransaction.h"

#include "voxelkl/Errors.h"

#include <filesystem>
#include <unistd.h>

namespace voxelkl
{
namespace fs = std::filesystem;

std::string
ImageExtension(const std::string & path)
{
  const std::string name = fs::path(path).filename().string();
  for (const char * doubled : { ".nii.gz", ".nrrd.gz", ".mha.gz" })
  {
    const std::string suffix = doubled;
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    {
      return suffix;
    }
  }
  return fs::path(name).extension().string();
}

OutputTransaction::~OutputTransaction()
{
  if (!m_Committed)
  {
    for (const auto & staged : m_Staged)
    {
      std::error_code ignored;
      fs::remove(staged.first, ignored);
    }
  }
}

std::string
OutputTransaction::Stage(const std::string & target)
{
  const fs::path  path(target);
  const fs::path  directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code error;
  if (!fs::is_directory(directory, error))
  {
    throw InputError(target, "cannot be written: directory " + directory.string() + " does not exist");
  }
  if (fs::is_directory(path, error))
  {
    throw InputError(target, "cannot be written: it is a directory");
  }
  if (access(directory.c_str(), W_OK) != 0)
  {
    throw InputError(target, "cannot be written: directory " + directory.string() + " is not writable");
  }
  for (const auto & staged : m_Staged)
  {
    if (fs::weakly_canonical(staged.second, error) == fs::weakly_canonical(path, error))
    {
      throw UsageError(target + ": the same file is given for two outputs");
    }
  }
  const std::string extension = ImageExtension(target);
  std::string       stem = path.filename().string();
  stem = stem.substr(0, stem.size() - extension.size());
  const fs::path temporary =
    directory / ("." + stem + ".voxelkl-partial-" + std::to_string(static_cast<long>(getpid())) + extension);
  m_Staged.emplace_back(temporary.string(), target);
  return temporary.string();
}

void
OutputTransaction::Commit()
{
  for (const auto & [temporary, target] : m_Staged)
  {
    std::error_code error;
    fs::rename(temporary, target, error);
    if (error)
    {
      throw InputError(target, "cannot be written: " + error.message());
    }
  }
  m_Committed = true;
}

} // namespace voxelkl
