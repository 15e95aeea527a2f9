#include "voxelkl/ReturnParameters.h"

#include "ValueText.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace voxelkl
{

std::string
FormatReturnParameters(const std::vector<std::pair<std::string, std::string>> & values)
{
  std::string text;
  for (const auto & [name, value] : values)
  {
    if (!IsIdentifier(name) || value.find_first_of("\r\n") != std::string::npos)
    {
      throw std::logic_error(fmt::format("return value '{}': names are identifiers, values one line", name));
    }
    text += fmt::format("{} = {}\n", name, value);
  }
  return text;
}

void
WriteReturnParameters(const std::string & path, const std::vector<std::pair<std::string, std::string>> & values)
{
  const std::string text = FormatReturnParameters(values);
  if (path.empty())
  {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    return;
  }
  const std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(std::fopen(path.c_str(), "w"), &std::fclose);
  // Slicer reads the file only after a successful exit, so a failed write must fail the run.
  if (!file || std::fputs(text.c_str(), file.get()) < 0 || std::fflush(file.get()) != 0)
  {
    throw std::runtime_error(fmt::format("{}: cannot write the return parameters", path));
  }
}

} // namespace voxelkl
