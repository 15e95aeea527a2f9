// The NRRD screens: header lines NrrdIO cannot quote in an error message, and where a
// NRRD's raw data are (for CheckRawDataSize).
#include "HeaderScreening.h"
#include "RawDataSize.h"

#include "voxelkl/Errors.h"
#include "voxelkl/PathText.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

namespace voxelkl
{
namespace detail
{

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

} // namespace detail

void
CheckNrrdHeader(const std::string & file)
{
  const std::string name = Lowercase(file);
  if (!EndsWith(name, ".nrrd") && !EndsWith(name, ".nhdr"))
  {
    return;
  }
  // NrrdIO formats its error messages, which quote the line or the value it failed on, into
  // 1025 bytes with vsprintf: a long line it cannot parse overflows the stack (found by the
  // series fuzzer). Comments, content and key/value lines ("key:=value", as 3D Slicer
  // writes its frame labels, which may be long) are only copied, never quoted.
  constexpr std::size_t longest = 400;
  std::ifstream         stream(file, std::ios::binary);
  std::string           line;
  for (std::size_t number = 1; std::getline(stream, line); ++number)
  {
    if (!line.empty() && line.back() == '\r')
    {
      line.pop_back();
    }
    if (line.empty())
    {
      return; // the data follow
    }
    const auto keyValue = line.find(":=");
    const bool copied = line[0] == '#' || line.rfind("content: ", 0) == 0 ||
                        (keyValue != std::string::npos && keyValue < line.find(": "));
    if (!copied && line.size() > longest)
    {
      throw InputError(file,
                       "invalid NRRD header: line " + std::to_string(number) + " has " + std::to_string(line.size()) +
                         " characters; NrrdIO reads at most " + std::to_string(longest) +
                         " in a field (comments, content and key:=value lines may be longer)");
    }
  }
}

} // namespace voxelkl
