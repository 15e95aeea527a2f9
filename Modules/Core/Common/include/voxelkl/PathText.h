// File-name helpers every module needs, written once.
#ifndef voxelkl_PathText_h
#define voxelkl_PathText_h

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace voxelkl
{

/** Whether text ends with suffix (case-sensitive, as file systems are). */
inline bool
EndsWith(std::string_view text, std::string_view suffix)
{
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/** text with ASCII letters in lower case. */
inline std::string
Lowercase(std::string text)
{
  std::transform(
    text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

} // namespace voxelkl

#endif
