#pragma once
// Lets Catch2 print a common::result<T> in REQUIRE(r) / CHECK(r): "a value",
// or the error's code and message. Without it Catch would pick Boost's
// operator<< for results, which does not compile for a T without one.

#include "common/error.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace Catch {

template<class T>
struct StringMaker<boost::system::result<T, jirasync::common::error>> {
  static std::string
  convert(const boost::system::result<T, jirasync::common::error>& r) {
    if (r.has_value())
      return "a value";
    auto e = r.error();
    return "error " + std::string(to_string(e.code)) + ": " + e.to_string();
  }
};

} // namespace Catch
