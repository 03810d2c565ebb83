#pragma once
// The one temporary-directory helper of the tests (every area uses it).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace jirasync::test {

/// A fresh directory under $TMPDIR, unique across processes and threads
/// (mkdtemp), removed with everything in it at scope exit. Throws
/// std::runtime_error when it cannot be made (Catch reports the test as
/// failed).
class temp_dir {
public:
  temp_dir() {
    auto tmpl
      = (std::filesystem::temp_directory_path() / "jirasync-test-XXXXXX")
          .string();
    if (!::mkdtemp(tmpl.data()))
      throw std::runtime_error(
        "mkdtemp failed in " + std::filesystem::temp_directory_path().string());
    path_ = tmpl;
  }

  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const {
    return path_;
  }

  /// Writes `content` to path()/name (creating its folders) and returns the
  /// full path.
  std::filesystem::path write(const std::string& name,
                              const std::string& content) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out{p, std::ios::binary};
    out << content;
    if (!out.flush())
      throw std::runtime_error("cannot write " + p.string());
    return p;
  }

private:
  std::filesystem::path path_;
};

} // namespace jirasync::test
