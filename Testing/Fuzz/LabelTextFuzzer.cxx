// libFuzzer target: the label-name text parser (`index name` lines: AAL, FreeSurfer LUT,
// ITK-SNAP, BIDS dseg.tsv), on the text as ReadLabelNames hands it over (no NUL bytes,
// UTF-8), and ReadLabelNames itself on the raw bytes as a file (BOM, Latin-1, NUL, and
// the choice between text and XML).
#include "FuzzSupport.h"
#include "LabelNameParsing.h"

#include <cstdlib>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t * data, std::size_t size)
{
  const std::string_view text = voxelkl::fuzz::AsText(data, size);
  voxelkl::fuzz::Expected([&] {
    const voxelkl::LabelNames names = voxelkl::detail::ParseLabelTable("fuzz.txt", text);
    for (const auto & [label, name] : names)
    {
      if (name.empty())
      {
        std::abort(); // promised: every label has a name
      }
    }
  });
  const std::string path = voxelkl::fuzz::WriteInput(data, size, "labels.txt");
  voxelkl::fuzz::Expected([&] { voxelkl::ReadLabelNames(path); });
  return 0;
}
