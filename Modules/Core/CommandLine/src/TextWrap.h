// Word wrapping for the --help text.
#ifndef voxelkl_TextWrap_h
#define voxelkl_TextWrap_h

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace voxelkl
{

/** Chunks (each kept whole) joined by single spaces into lines of at most firstWidth
 * characters for the first line and restWidth for the others. A chunk longer than a line
 * stands alone rather than being cut: it may be a path or a flag. */
std::vector<std::string>
WrapChunks(const std::vector<std::string> & chunks, std::size_t firstWidth, std::size_t restWidth);

/** The words of text, split at any whitespace. */
std::vector<std::string>
SplitWords(std::string_view text);

/** Appends text wrapped to lineWidth columns, the first line indented by firstIndent
 * spaces, the others by restIndent; each line ends with '\n'. */
void
AppendWrapped(std::string &    out,
              std::string_view text,
              std::size_t      firstIndent,
              std::size_t      restIndent,
              std::size_t      lineWidth = 80);
/** The same for chunks that must not be broken, such as `--flag VALUE`. */
void
AppendWrapped(std::string &                    out,
              const std::vector<std::string> & chunks,
              std::size_t                      firstIndent,
              std::size_t                      restIndent,
              std::size_t                      lineWidth = 80);

} // namespace voxelkl

#endif
