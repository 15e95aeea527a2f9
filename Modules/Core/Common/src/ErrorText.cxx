#include "voxelkl/ErrorText.h"

#include <regex>
#include <sstream>

namespace voxelkl
{

std::string
OneLine(const std::string & text)
{
  std::istringstream lines(text);
  std::string        result;
  for (std::string line; std::getline(lines, line);)
  {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos)
    {
      continue;
    }
    line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
    if (!result.empty())
    {
      result += result.back() == ':' ? " " : "; ";
    }
    result += line;
  }
  return result;
}

std::string
ItkErrorText(const std::string & description)
{
  // "path/itkImageIOBase.cxx:399:" where ITK threw: the user's file is what matters.
  static const std::regex location(R"((^|\s)[^\s:]*\.(cxx|hxx|cpp|txx|h|c):[0-9]+:)");
  // "itk::ERROR: NrrdImageIO(0x55d0c8e0): " and "ITK ERROR: MetaImageIO(0x...): ".
  static const std::regex origin(R"((itk::ERROR|ITK ERROR):\s*([A-Za-z_][A-Za-z0-9_:]*\([^)]*\):\s*)?)");
  // teem's biff tags every line of a NRRD error.
  static const std::regex nrrdTag(R"((^|\n)\s*\[nrrd\]\s*)");
  std::string             text = std::regex_replace(description, location, "$1");
  text = std::regex_replace(text, origin, "");
  text = std::regex_replace(text, nrrdTag, "$1");
  return OneLine(text);
}

} // namespace voxelkl
