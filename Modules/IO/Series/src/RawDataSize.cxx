#include "RawDataSize.h"
#include "HeaderScreening.h"

#include "voxelkl/Errors.h"
#include "voxelkl/PathText.h"

#include <filesystem>

namespace voxelkl
{
namespace detail
{

std::string
Trimmed(const std::string & text)
{
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos)
  {
    return "";
  }
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

std::string
Beside(const std::string & header, const std::string & name)
{
  const std::filesystem::path data(name);
  if (data.is_absolute())
  {
    return name;
  }
  return (std::filesystem::path(header).parent_path() / data).string();
}

} // namespace detail

void
CheckRawDataSize(const std::string & file, const itk::ImageIOBase & io)
{
  const std::string                name = Lowercase(file);
  const std::string                format = io.GetNameOfClass();
  std::optional<detail::DataFiles> data;
  if (format == "MetaImageIO" && (EndsWith(name, ".mha") || EndsWith(name, ".mhd")))
  {
    data = detail::MetaImageData(file, io);
  }
  else if (format == "NrrdImageIO" && (EndsWith(name, ".nrrd") || EndsWith(name, ".nhdr")))
  {
    if (const auto extent = detail::NrrdData(file))
    {
      data = detail::DataFiles{ { *extent }, static_cast<std::uint64_t>(io.GetImageSizeInBytes()) };
    }
  }
  if (!data)
  {
    return;
  }
  for (const detail::DataExtent & extent : data->files)
  {
    std::error_code      error;
    const std::uintmax_t size = std::filesystem::file_size(extent.path, error);
    if (error)
    {
      throw InputError(file, "cannot read its data file " + extent.path + ": " + error.message());
    }
    if (data->text)
    {
      detail::CheckTextVoxels(file, extent, io);
      continue;
    }
    const std::uint64_t expected = data->bytesEach;
    const std::uint64_t available = extent.atEnd ? size : (size > extent.skip ? size - extent.skip : 0);
    if (available < expected)
    {
      const std::string where = extent.path == file ? "the file holds " : extent.path + " holds ";
      const std::string what =
        data->files.size() == 1 ? "" : " in each of its " + std::to_string(data->files.size()) + " data files";
      throw InputError(file,
                       "truncated: the header describes " + std::to_string(expected) + " bytes of data" + what + ", " +
                         where + std::to_string(available));
    }
  }
}

} // namespace voxelkl
