// libFuzzer target: the FSL atlas XML parser (`<atlas><header><type>...<data><label
// index=".." ...>Name</label>`), on the text as ReadLabelNames hands it over.
#include "FuzzSupport.h"
#include "LabelNameParsing.h"

#include <cstdlib>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t * data, std::size_t size)
{
  voxelkl::fuzz::Expected([&] {
    const voxelkl::LabelNames names = voxelkl::detail::ParseFslAtlasXml("fuzz.xml", voxelkl::fuzz::AsText(data, size));
    for (const auto & [label, name] : names)
    {
      if (name.empty())
      {
        std::abort(); // promised: every label has a name
      }
    }
  });
  return 0;
}
