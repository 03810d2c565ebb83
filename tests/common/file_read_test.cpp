#include "common/file_read.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include <unistd.h>

using namespace jirasync::common;

TEST_CASE("read_file: content, cap, missing file", "[common]") {
  auto dir = std::filesystem::temp_directory_path()
             / ("jirasync-file-read-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / "notes.txt";
  {
    std::ofstream out{path, std::ios::binary};
    out << std::string("hello\0world", 11);
  }
  auto all = read_file(path, 11);
  REQUIRE(all.has_value());
  CHECK(*all == std::string("hello\0world", 11));
  auto capped = read_file(path, 10);
  REQUIRE_FALSE(capped.has_value());
  CHECK(capped.error().code == errc::invalid_input);
  CHECK(capped.error().message == "notes.txt has 11 bytes, more than 10");
  auto missing = read_file(dir / "none.txt", 10);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == errc::not_found);
  std::filesystem::remove_all(dir);
}
