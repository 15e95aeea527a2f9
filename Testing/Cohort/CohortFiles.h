// The cohort of the VoxelKLCohort tests: three subjects whose generated series depart from
// their reference in different ways, compared by VoxelKLDivergence (with a region table
// over a small atlas; --mse for two of them) and, for one, by SpatialKLDivergence.
#ifndef voxelkl_test_CohortFiles_h
#define voxelkl_test_CohortFiles_h

#include "TestFiles.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace voxelkl::test
{

inline std::string
ReadText(const std::string & path)
{
  std::ifstream      file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

inline void
WriteText(const std::string & path, const std::string & text)
{
  std::ofstream(path, std::ios::binary) << text;
}

/** A TSV file as rows of named cells (the header gives the names). */
inline std::vector<std::map<std::string, std::string>>
ReadTable(const std::string & path)
{
  std::istringstream                              lines(ReadText(path));
  std::string                                     line;
  std::vector<std::string>                        header;
  std::vector<std::map<std::string, std::string>> rows;
  const auto                                      split = [](const std::string & text) {
    std::vector<std::string> cells;
    std::size_t              start = 0;
    for (std::size_t tab; (tab = text.find('\t', start)) != std::string::npos; start = tab + 1)
    {
      cells.push_back(text.substr(start, tab - start));
    }
    cells.push_back(text.substr(start));
    return cells;
  };
  if (std::getline(lines, line))
  {
    header = split(line);
  }
  while (std::getline(lines, line))
  {
    const auto                         cells = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < cells.size() && c < header.size(); ++c)
    {
      row[header[c]] = cells[c];
    }
    row["#cells"] = std::to_string(cells.size());
    rows.push_back(row);
  }
  return rows;
}

inline nlohmann::json
ReadJson(const std::string & path)
{
  return nlohmann::json::parse(ReadText(path));
}

/** Subject s's files in directory/derivatives, named the BIDS way. */
struct CohortSubject
{
  std::string subject;
  bool        mse;     // --mse: a globalMSE and an mse column in the region table
  bool        spatial; // a SpatialKLDivergence summary too
  std::string
  Stem() const
  {
    return "sub-" + subject + "_model-demo";
  }
  std::string
  Summary() const
  {
    return "derivatives/" + Stem() + "_kl.json";
  }
  std::string
  Regions() const
  {
    return "derivatives/" + Stem() + "_regions.tsv";
  }
  std::string
  Spatial() const
  {
    return "derivatives/" + Stem() + "_desc-spatial_kl.json";
  }
};

inline const std::vector<CohortSubject> &
CohortSubjects()
{
  static const std::vector<CohortSubject> subjects{ { "01", true, true },
                                                    { "02", true, false },
                                                    { "03", false, false } };
  return subjects;
}

// Deterministic noise in [-1, 1].
inline double
CohortNoise(long x, long y, long z, long t, long salt)
{
  unsigned long h = static_cast<unsigned long>(x * 73856093L ^ y * 19349663L ^ z * 83492791L ^ t * 2654435761L ^ salt);
  h ^= h >> 13;
  h *= 0x5bd1e995UL;
  h ^= h >> 15;
  return static_cast<double>(h % 2001) / 1000.0 - 1.0;
}

/** Runs VoxelKLDivergence (and SpatialKLDivergence) for every subject into directory;
 * returns the error of the first run that fails (empty when all succeed). */
inline std::string
WriteCohortFiles(const std::string & directory)
{
  std::filesystem::create_directories(directory + "/derivatives");
  const std::array<long, 4> size{ 6, 5, 4, 24 };
  const auto                labels = MakeSeries(size, [](long, long, long, long) { return 0.0; });
  WriteMask(labels, directory + "/atlas.nii.gz", [](long x, long y, long z) {
    return x < 2 ? 1 : (y + z) % 2 ? 2 : 3;
  });
  WriteText(directory + "/atlas.txt", "1\tLeft_Block\n2\tChecker_A\n3\tChecker_B\n");
  for (std::size_t s = 0; s < CohortSubjects().size(); ++s)
  {
    const CohortSubject & subject = CohortSubjects()[s];
    const double          scale = 0.5 + 0.25 * double(s); // each subject flattened differently
    const long            salt = long(s) * 10;
    const auto            reference = MakeSeries(size, [=](long x, long y, long z, long t) {
      return 100.0 + x + 2.0 * y + 5.0 * CohortNoise(x, y, z, t, salt + 1);
    });
    const auto            generated = MakeSeries(size, [=](long x, long y, long z, long t) {
      return 100.0 + x + 2.0 * y + 0.1 * z * double(s) + 5.0 * scale * CohortNoise(x, y, z, t, salt + 2);
    });
    const std::string     reference_path = directory + "/derivatives/" + subject.Stem() + "_reference.nii.gz";
    const std::string     generated_path = directory + "/derivatives/" + subject.Stem() + "_generated.nii.gz";
    WriteSeries(reference, reference_path);
    WriteSeries(generated, generated_path);
    std::vector<std::string> arguments{ "--reference",   reference_path,
                                        "--generated",   generated_path,
                                        "--output",      directory + "/derivatives/" + subject.Stem() + "_kl.nii.gz",
                                        "--summary",     directory + "/" + subject.Summary(),
                                        "--labels",      directory + "/atlas.nii.gz",
                                        "--labelNames",  directory + "/atlas.txt",
                                        "--regionTable", directory + "/" + subject.Regions() };
    if (subject.mse)
    {
      arguments.insert(arguments.end(), { "--mse", directory + "/derivatives/" + subject.Stem() + "_mse.nii.gz" });
    }
    const auto kl = RunProgram(VOXELKL_KL_EXECUTABLE, arguments);
    if (kl.exitCode != 0)
    {
      return kl.err;
    }
    if (subject.spatial)
    {
      const auto spatial = RunProgram(VOXELKL_SPATIALKL_EXECUTABLE,
                                      { "--reference",
                                        reference_path,
                                        "--generated",
                                        generated_path,
                                        "--standardize",
                                        "volume",
                                        "--summary",
                                        directory + "/" + subject.Spatial() });
      if (spatial.exitCode != 0)
      {
        return spatial.err;
      }
    }
  }
  // The index the workflow writes: paths relative to its own directory.
  std::string index = "subject\tmodel\tsummary\tregionTable\tspatialSummary\n";
  for (const CohortSubject & subject : CohortSubjects())
  {
    index += subject.subject + "\tdemo\t" + subject.Summary() + "\t" + subject.Regions() + "\t" +
             (subject.spatial ? subject.Spatial() : "") + "\n";
  }
  WriteText(directory + "/cohort_index.tsv", index);
  return {};
}

} // namespace voxelkl::test

#endif
