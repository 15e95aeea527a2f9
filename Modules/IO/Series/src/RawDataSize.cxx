#include "RawDataSize.h"

#include "voxelkl/Errors.h"
#include "voxelkl/PathText.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace voxelkl
{
namespace
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

// Where the data is and how many of its bytes a header-described image may use: the
// bytes after `skip` in `path`. Empty when the data cannot be sized without decoding it.
struct DataExtent
{
  std::string   path;
  std::uint64_t skip{ 0 };
  bool          atEnd{ false }; // data at the end of the file: only its total size counts
};

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

// MetaImage: "Key = Value" lines; ElementDataFile is the last, the data (LOCAL) follow it.
std::optional<DataExtent>
MetaImageData(const std::string & file)
{
  std::ifstream stream(file, std::ios::binary);
  long long     headerSize = 0;
  for (std::string line; std::getline(stream, line);)
  {
    const auto equals = line.find('=');
    if (equals == std::string::npos)
    {
      continue;
    }
    const std::string key = Lowercase(Trimmed(line.substr(0, equals)));
    const std::string value = Trimmed(line.substr(equals + 1));
    if (key == "compresseddata" && Lowercase(value) == "true")
    {
      return std::nullopt;
    }
    if (key == "headersize")
    {
      headerSize = std::atoll(value.c_str());
    }
    if (key == "elementdatafile")
    {
      if (value == "LOCAL")
      {
        const auto position = stream.tellg();
        return position < 0 ? std::nullopt : std::optional<DataExtent>({ file, static_cast<std::uint64_t>(position) });
      }
      if (value.rfind("LIST", 0) == 0 || value.find('%') != std::string::npos || value.find(' ') != std::string::npos)
      {
        return std::nullopt;
      }
      DataExtent extent{ Beside(file, value), 0, headerSize < 0 };
      extent.skip = headerSize > 0 ? static_cast<std::uint64_t>(headerSize) : 0;
      return extent;
    }
  }
  return std::nullopt;
}

// NRRD: "field: value" lines up to an empty line (the attached data follow it).
std::optional<DataExtent>
NrrdData(const std::string & file)
{
  std::ifstream stream(file, std::ios::binary);
  std::string   line;
  if (!std::getline(stream, line) || line.rfind("NRRD", 0) != 0)
  {
    return std::nullopt;
  }
  std::string dataFile;
  long long   byteSkip = 0;
  bool        raw = false;
  for (std::size_t lines = 0; lines < 10000 && std::getline(stream, line); ++lines)
  {
    line = Trimmed(line);
    if (line.empty())
    {
      break;
    }
    if (line[0] == '#')
    {
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos)
    {
      continue;
    }
    const std::string key = Lowercase(Trimmed(line.substr(0, colon)));
    std::string       value = Trimmed(line.substr(colon + 1));
    if (!value.empty() && value[0] == '=')
    {
      continue; // a key/value pair ("key:=value"), not a field
    }
    if (key == "encoding")
    {
      raw = Lowercase(value) == "raw";
    }
    else if (key == "data file" || key == "datafile")
    {
      dataFile = value;
    }
    else if (key == "byte skip" || key == "byteskip")
    {
      byteSkip = std::atoll(value.c_str());
    }
    else if (key == "line skip" || key == "lineskip")
    {
      if (std::atoll(value.c_str()) != 0)
      {
        return std::nullopt; // lines of text before the data: sized only by reading them
      }
    }
  }
  if (!raw || dataFile.find(' ') != std::string::npos || dataFile.rfind("LIST", 0) == 0)
  {
    return std::nullopt;
  }
  DataExtent extent;
  if (dataFile.empty())
  {
    const auto position = stream.tellg();
    if (position < 0)
    {
      extent.path = file; // the header fills the file: no data at all
      extent.skip = static_cast<std::uint64_t>(std::filesystem::file_size(file));
      return extent;
    }
    extent.path = file;
    extent.skip = static_cast<std::uint64_t>(position);
  }
  else
  {
    extent.path = Beside(file, dataFile);
  }
  extent.atEnd = byteSkip < 0;
  extent.skip += byteSkip > 0 ? static_cast<std::uint64_t>(byteSkip) : 0;
  return extent;
}

} // namespace

void
CheckRawDataSize(const std::string & file, const itk::ImageIOBase & io)
{
  const std::string         name = Lowercase(file);
  const std::string         format = io.GetNameOfClass();
  std::optional<DataExtent> extent;
  if (format == "MetaImageIO" && (EndsWith(name, ".mha") || EndsWith(name, ".mhd")))
  {
    extent = MetaImageData(file);
  }
  else if (format == "NrrdImageIO" && (EndsWith(name, ".nrrd") || EndsWith(name, ".nhdr")))
  {
    extent = NrrdData(file);
  }
  if (!extent)
  {
    return;
  }
  std::error_code      error;
  const std::uintmax_t size = std::filesystem::file_size(extent->path, error);
  if (error)
  {
    throw InputError(file, "cannot read its data file " + extent->path + ": " + error.message());
  }
  const std::uint64_t expected = io.GetImageSizeInBytes();
  const std::uint64_t available = extent->atEnd ? size : (size > extent->skip ? size - extent->skip : 0);
  if (available < expected)
  {
    const std::string where = extent->path == file ? "the file holds " : extent->path + " holds ";
    throw InputError(file,
                     "truncated: the header describes " + std::to_string(expected) + " bytes of data, " + where +
                       std::to_string(available));
  }
}

void
CheckMetaImageHeader(const std::string & file)
{
  if (!EndsWith(Lowercase(file), ".mha") && !EndsWith(Lowercase(file), ".mhd"))
  {
    return;
  }
  std::ifstream stream(file, std::ios::binary);
  std::string   line;
  long          dimensions = -1;
  for (int lines = 0; lines < 200 && std::getline(stream, line); ++lines)
  {
    const auto equals = line.find('=');
    if (equals == std::string::npos)
    {
      continue;
    }
    std::string key = line.substr(0, equals);
    key.erase(key.find_last_not_of(" \t") + 1);
    std::istringstream values(line.substr(equals + 1));
    if (key == "NDims")
    {
      if (!(values >> dimensions) || dimensions < 1 || dimensions > 8)
      {
        throw InputError(file, "invalid MetaImage header: NDims must be 1 to 8, not '" + line.substr(equals + 1) + "'");
      }
    }
    else if (key == "DimSize")
    {
      long count = 0;
      for (long size; values >> size; ++count)
      {
        if (size < 1)
        {
          throw InputError(file, "invalid MetaImage header: a DimSize is " + std::to_string(size));
        }
      }
      if (dimensions > 0 && count != dimensions)
      {
        throw InputError(file,
                         "invalid MetaImage header: DimSize holds " + std::to_string(count) + " sizes for NDims " +
                           std::to_string(dimensions));
      }
    }
    else if (key == "ElementDataFile")
    {
      return; // the data follow
    }
  }
}

} // namespace voxelkl
